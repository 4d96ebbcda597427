/**
 * HOBOM_PIPELINES_FILE: pipelines declared beside the built-in HoBom ones, in YAML (Bun's own
 * parser) or JSON. Each entry names its source and sink kinds with their options, its mapping
 * and its DLQ prefix; `${NAME}` is replaced from the environment, so secrets stay in the env file.
 * The file is validated whole, and every problem names its line, its key and what is accepted.
 *
 * ```yaml
 * pipelines:
 *   - name: orders
 *     dlqPrefix: dlq:orders:          # default dlq:<name>:
 *     source: { kind: grpc-outbox, … } # see src/sources/<kind>/kind.ts
 *     sink: { kind: kafka }            # see src/sinks/<kind>/kind.ts
 *     mapping: { topic: orders.events }
 * ```
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { Fields, type FileProblem } from "../config/fields.ts";
import { locate } from "../config/locate.ts";
import { SINK_KINDS, type SinkKindName, SOURCE_KINDS, type SourceKindName } from "./kinds.ts";

/** One valid entry of the file. */
export interface Declaration {
  readonly name: string;
  readonly dlqPrefix: string;
  readonly source: { readonly kind: SourceKindName; readonly options: unknown };
  readonly sink: { readonly kind: SinkKindName; readonly options: unknown };
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const DLQ_PREFIX = /^dlq:[a-z0-9][a-z0-9-]*:$/;

/**
 * The file's pipelines, or every problem it has (`file:line: path: what`). `reserved` are the
 * built-in pipelines' names and DLQ prefixes, which a file may not take.
 */
export function readPipelinesFile(params: {
  path: string;
  text: string;
  env: Readonly<Record<string, string | undefined>>;
  reserved: { readonly names: readonly string[]; readonly dlqPrefixes: readonly string[] };
}): { declarations: Declaration[]; problems: string[] } {
  const { path, text, env } = params;
  const format = extname(path) === ".json" || text.trimStart().startsWith("{") ? "json" : "yaml";
  let document: unknown;
  try {
    document = format === "json" ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch (error) {
    // Bun's parsers give no usable position; the commonest slip in YAML gets its own hint.
    const hint = format === "yaml" ? ' (quote a value that ends with a colon, such as "dlq:orders:")' : "";
    return { declarations: [], problems: [`${path}: not valid ${format.toUpperCase()}: ${(error as Error).message}${hint}`] };
  }
  const problems: FileProblem[] = [];
  const root = Fields.of(document, [], problems, env);
  const entries = root.list("pipelines", { required: true, accepted: "one entry per pipeline, each starting with `- name:`" }) ?? [];
  root.rejectUnknown();
  const declarations: Declaration[] = [];
  const names = new Set(params.reserved.names);
  const prefixes = new Set(params.reserved.dlqPrefixes);
  for (const [index, raw] of entries.entries()) {
    const entry = Fields.of(raw, ["pipelines", index], problems, env);
    const declaration = readEntry(entry);
    if (declaration && names.has(declaration.name))
      entry.problem("name", `"${declaration.name}" is taken (by a built-in pipeline or an entry before); names are unique`);
    else if (declaration && prefixes.has(declaration.dlqPrefix))
      entry.problem("dlqPrefix", `"${declaration.dlqPrefix}" is taken; every pipeline has a DLQ prefix of its own`);
    else if (declaration) declarations.push(declaration);
    if (declaration) {
      names.add(declaration.name);
      prefixes.add(declaration.dlqPrefix);
    }
  }
  const located = problems.map((problem) => ({ line: locate(text, format, problem.path), problem }));
  located.sort((a, b) => a.line - b.line);
  return {
    declarations: problems.length === 0 ? declarations : [],
    problems: located.map(({ line, problem }) => `${path}:${line}: ${pathText(problem.path)}: ${problem.message}`),
  };
}

function readEntry(entry: Fields): Declaration | undefined {
  const name = entry.string("name", { required: true, pattern: NAME, accepted: "lower-case letters, digits and -, starting with a letter (e.g. orders)" });
  const dlqPrefix = entry.string("dlqPrefix", { pattern: DLQ_PREFIX, accepted: "dlq:<name>: (e.g. dlq:orders:)" }) ?? (name && `dlq:${name}:`);
  const sourceBlock = entry.block("source", { required: true, accepted: `with a kind: ${Object.keys(SOURCE_KINDS).join(", ")}` });
  const sinkBlock = entry.block("sink", { required: true, accepted: `with a kind: ${Object.keys(SINK_KINDS).join(", ")}` });
  const mapping = entry.block("mapping");
  entry.rejectUnknown();
  const sourceKind = sourceBlock?.oneOf("kind", Object.keys(SOURCE_KINDS) as SourceKindName[], { required: true, what: "the source kinds this build has" });
  const sinkKind = sinkBlock?.oneOf("kind", Object.keys(SINK_KINDS) as SinkKindName[], { required: true, what: "the sink kinds this build has" });
  const source = sourceBlock && sourceKind ? SOURCE_KINDS[sourceKind].parse(sourceBlock) : undefined;
  const defaults = (sourceKind && SOURCE_KINDS[sourceKind].mappingDefaults) || {};
  const sink = sinkBlock && sinkKind ? SINK_KINDS[sinkKind].parse(sinkBlock, mapping, defaults) : undefined;
  if (!name || !dlqPrefix || !sourceKind || !sinkKind || source === undefined || sink === undefined) return undefined;
  return { name, dlqPrefix, source: { kind: sourceKind, options: source }, sink: { kind: sinkKind, options: sink } };
}

/** `pipelines[1].sink.kind` */
function pathText(path: readonly (string | number)[]): string {
  return path.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : `${index > 0 ? "." : ""}${segment}`)).join("") || "(the file)";
}

/** The pipelines of the file at `path` (HOBOM_PIPELINES_FILE), or why there are none. */
export function loadPipelinesFile(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  reserved: { readonly names: readonly string[]; readonly dlqPrefixes: readonly string[] },
): { declarations: Declaration[]; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return {
      declarations: [],
      problems: [`HOBOM_PIPELINES_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "unreadable"}); fix the path or unset it`],
    };
  }
  return readPipelinesFile({ path, text, env, reserved });
}
