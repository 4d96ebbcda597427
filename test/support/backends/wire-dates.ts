/**
 * How each backend writes a date column into a `string` field. The relay has to read all three, so
 * the doubles send exactly what the real backends send (contracts, section 4), NULL included.
 */

/** Turns a date column (or NULL) into the text a backend puts on the wire. */
export type WireDateFormat = (date: Date | null) => string;

/**
 * for-hobom-backend (NestJS): the entity's Date is stringified with `Date.prototype.toString()`,
 * e.g. "Mon Nov 23 2026 14:05:00 GMT+0000 (Coordinated Universal Time)": whole seconds only, in
 * the server's local time zone.
 */
export const jsDateText: WireDateFormat = (date) => (date === null ? "" : date.toString());

/**
 * hobom-space-backend (.NET): the round-trip format "O", seven fractional digits, e.g.
 * "2026-11-23T14:05:00.1230000Z". A JS Date has millisecond precision, so the last four are 0.
 */
export const dotnetRoundTrip: WireDateFormat = (date) => (date === null ? "" : date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z"));

/** for-hobom-angel-backend (NestJS, converts explicitly): `toISOString()`, e.g. "2026-11-23T14:05:00.123Z". */
export const isoText: WireDateFormat = (date) => (date === null ? "" : date.toISOString());
