/**
 * Remembers which things were already reported, so that a problem that comes back every cycle (a
 * row the backend keeps returning without an eventId) is logged once, not every poll interval. It
 * forgets the oldest keys past `limit`, so a stream of distinct problems cannot grow it forever.
 */
export type Once = (key: string, report: () => void) => void;

export function createOnce(limit = 10_000): Once {
  const seen = new Set<string>();
  return (key, report) => {
    if (seen.has(key)) return;
    seen.add(key);
    // A Set iterates in insertion order: the first key is the oldest.
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    report();
  };
}
