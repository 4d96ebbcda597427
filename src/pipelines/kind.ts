/** What a kind of source or sink is, for the kinds table (kinds.ts) and the kinds' own folders. */
import type { Fields } from "../config/fields.ts";
import type { Breaker } from "../engine/breaker.ts";
import type { Codec, Sink, Source } from "../engine/ports.ts";

/** A dependency check for health and check-config: resolves when it answers within `timeoutMs`. */
export type KindProbe = (timeoutMs: number) => Promise<void>;

/** A built source, what health probes for it, and how it lets go of its connections. */
export interface BuiltSource {
  readonly source: Source;
  readonly probes: Readonly<Record<string, KindProbe>>;
  /** Attempts after which an event whose delivery keeps failing for its own reason is dead-lettered; absent: never. */
  readonly maxAttempts?: number;
  /** Work of the source's own that runs as long as the relay (retention, backlog metrics); stops with the signal. */
  background?(signal: AbortSignal): Promise<void>;
  close(): void | Promise<void>;
}

/** The mapping a source kind's events get when the file's entry leaves parts of it out. */
export interface MappingDefaults {
  readonly topic?: string;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A field of the record holding a JSON object of more headers. */
  readonly headersFrom?: string;
}

/** What `migrate` does for a source: the statements it would run, and running them. */
export interface Migration {
  /** Where: a database, a file. */
  readonly target: string;
  statements(): Promise<string[]>;
  run(): Promise<void>;
}

export interface SourceKind<O, D> {
  /** The block's options, or undefined when it has problems (reported on `fields`). */
  parse(fields: Fields): O | undefined;
  build(options: O, deps: D, pipeline: { readonly name: string }): BuiltSource;
  /** The mapping its events get by default. */
  readonly mappingDefaults?: MappingDefaults;
  /** What `migrate` creates for it, when the kind has a schema of its own. */
  migration?(options: O): Migration;
}

export interface SinkKind<O, D, M> {
  /** The sink block's options and the entry's mapping (its source kind's defaults filling gaps), or undefined when they have problems. */
  parse(sink: Fields, mapping: Fields | undefined, defaults: MappingDefaults): O | undefined;
  /** The pipeline's sink (shared with the others of the kind, behind one breaker) and its codec. */
  build(options: O, deps: D): { sink: Sink<M> & Breaker; codec: Codec<M> };
}
