/**
 * Templates of a pipeline's mapping: text with `${field}` or `${field.path}` put in from the event's
 * record (a row's columns, its payload), e.g. `outbox.event.${aggregatetype}`. Upper-case
 * `${NAME}` never reaches here: the pipelines file replaces those from the environment first.
 */
import { MappingError } from "../engine/errors.ts";

export type Template = (record: Readonly<Record<string, unknown>>) => string;

const REFERENCE = /\$\{([^}]*)\}/g;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The template of `text`, or the reason it is not one (a `${…}` that names no field path). */
export function compileTemplate(text: string): Template | string {
  const parts: (string | string[])[] = [];
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const path = (match[1] ?? "").trim();
    if (!FIELD_PATH.test(path)) return `\${${match[1]}} is not a field path (letters, digits and _ joined by dots, e.g. \${payload.id})`;
    parts.push(text.slice(last, match.index), path.split("."));
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last));
  if (/\$\{/.test(text.slice(last))) return "has a ${ without its closing }";
  return (record) => parts.map((part) => (typeof part === "string" ? part : valueAt(record, part, text))).join("");
}

/** The text of the field at `path` of the record; a MappingError when the event has none there. */
function valueAt(record: Readonly<Record<string, unknown>>, path: readonly string[], template: string): string {
  let value: unknown = record;
  for (const name of path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null || typeof value === "object") {
    throw new MappingError(`the mapping's "${template}" refers to \${${path.join(".")}}, which this event has no text for`);
  }
  return String(value);
}
