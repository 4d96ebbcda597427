/** The pipelines a pipelines file declares, built from the kinds table into pipelines the engine runs. */
import type { Pipeline } from "../engine/pipeline.ts";
import type { Declaration } from "./file.ts";
import type { KindProbe, SinkKind, SourceKind } from "./kind.ts";
import { type KindDependencies, SINK_KINDS, SOURCE_KINDS } from "./kinds.ts";

export interface BuiltPipelines {
  readonly pipelines: Pipeline[];
  /** What health probes for them: their sources' backends. */
  readonly probes: Record<string, KindProbe>;
  /** Runs their sources' own work (retention, backlog metrics) until the signal aborts. */
  background(signal: AbortSignal): Promise<unknown>;
  /** Lets go of their sources' connections. */
  close(): Promise<unknown>;
}

export function buildDeclaredPipelines(declarations: readonly Declaration[], deps: KindDependencies): BuiltPipelines {
  const probes: Record<string, KindProbe> = {};
  const closes: (() => void | Promise<void>)[] = [];
  const backgrounds: ((signal: AbortSignal) => Promise<void>)[] = [];
  const pipelines = declarations.map((declaration): Pipeline => {
    // The table's rows are typed by kind; a declaration carries its kind's own options.
    const sourceKind = SOURCE_KINDS[declaration.source.kind] as SourceKind<unknown, unknown>;
    const sinkKind = SINK_KINDS[declaration.sink.kind] as SinkKind<unknown, unknown, unknown>;
    const built = sourceKind.build(declaration.source.options, deps[declaration.source.kind], declaration);
    const { sink, codec } = sinkKind.build(declaration.sink.options, deps[declaration.sink.kind]);
    Object.assign(probes, built.probes);
    closes.push(() => built.close());
    if (built.background) backgrounds.push((signal) => built.background?.(signal) ?? Promise.resolve());
    return {
      name: declaration.name,
      dlqPrefix: declaration.dlqPrefix,
      source: built.source,
      codec,
      sink,
      maxAttempts: built.maxAttempts,
      description: { source: declaration.source.kind, sink: declaration.sink.kind, declared: "HOBOM_PIPELINES_FILE" },
    };
  });
  return {
    pipelines,
    probes,
    background: (signal) => Promise.allSettled(backgrounds.map((run) => run(signal))),
    close: () => Promise.allSettled(closes.map((close) => close())),
  };
}
