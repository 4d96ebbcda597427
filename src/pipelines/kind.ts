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
  close(): void | Promise<void>;
}

export interface SourceKind<O, D> {
  /** The block's options, or undefined when it has problems (reported on `fields`). */
  parse(fields: Fields): O | undefined;
  build(options: O, deps: D, pipeline: { readonly name: string }): BuiltSource;
}

export interface SinkKind<O, D, M> {
  /** The sink block's options and the entry's mapping, or undefined when they have problems. */
  parse(sink: Fields, mapping: Fields | undefined): O | undefined;
  /** The pipeline's sink (shared with the others of the kind, behind one breaker) and its codec. */
  build(options: O, deps: D): { sink: Sink<M> & Breaker; codec: Codec<M> };
}
