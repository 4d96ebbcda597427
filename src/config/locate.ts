/**
 * The line of a pipelines file a path points at (`pipelines[1].sink.kind` → 14), so that a problem
 * names where to look. Parsers do not keep positions, so this reads the text the way an operator
 * does: in YAML by indentation and `- ` items, in JSON by the keys in order. It finds the nearest
 * line it can: the key itself, or else the block that should hold it.
 */

interface Line {
  readonly number: number;
  readonly indent: number;
  /** The key on the line (after a `- ` marker), if any. */
  readonly key?: string;
  /** The line starts a list item. */
  readonly item: boolean;
}

export function locate(text: string, format: "yaml" | "json", path: readonly (string | number)[]): number {
  return format === "yaml" ? locateYaml(scanYaml(text), path) : locateJson(text, path);
}

function scanYaml(text: string): Line[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.replace(/\s+#.*$/, "");
    if (content.trim() === "" || content.trim().startsWith("#")) return;
    const indent = content.length - content.trimStart().length;
    const item = /^-(\s|$)/.test(content.trimStart());
    const rest = item ? content.trimStart().slice(1).trimStart() : content.trimStart();
    const key = /^["']?([^"':]+?)["']?\s*:(\s|$)/.exec(rest)?.[1];
    lines.push({ number: index + 1, indent, key, item });
  });
  return lines;
}

function locateYaml(lines: readonly Line[], path: readonly (string | number)[]): number {
  let from = 0;
  let to = lines.length;
  let found = lines[0]?.number ?? 1;
  for (const segment of path) {
    const block = lines.slice(from, to);
    const first = block[0];
    if (!first) break;
    if (typeof segment === "number") {
      const items = block.filter((line) => line.item && line.indent === minIndent(block, true));
      const item = items[segment];
      if (!item) break;
      const next = items[segment + 1];
      found = item.number;
      from = lines.indexOf(item);
      to = next ? lines.indexOf(next) : to;
      continue;
    }
    // The keys of an item start on its `- ` line and go on two columns further in.
    const indent = first.item ? first.indent + 2 : first.indent;
    const line = block.find((candidate) => candidate.key === segment && (candidate.item ? candidate.indent + 2 : candidate.indent) === indent);
    if (!line) break;
    found = line.number;
    const start = lines.indexOf(line);
    const end = lines.findIndex((candidate, index) => index > start && (candidate.item ? candidate.indent + 2 : candidate.indent) <= indent);
    from = start + 1;
    to = end === -1 || end > to ? to : end;
  }
  return found;
}

function minIndent(block: readonly Line[], items: boolean): number {
  return Math.min(...block.filter((line) => line.item === items).map((line) => line.indent));
}

function locateJson(text: string, path: readonly (string | number)[]): number {
  // JSON pipelines files are small: each key is looked for after the one before it.
  let at = 0;
  for (const segment of path) {
    if (typeof segment === "number") {
      let seen = -1;
      let depth = 0;
      const open = text.indexOf("[", at);
      if (open === -1) break;
      for (let index = open + 1; index < text.length; index++) {
        const char = text[index];
        if (char === "{" || char === "[") {
          if (depth === 0 && ++seen === segment) {
            at = index;
            break;
          }
          depth++;
        } else if (char === "}" || char === "]") depth--;
        if (depth < 0) break;
      }
      continue;
    }
    const found = text.indexOf(`"${segment}"`, at);
    if (found === -1) break;
    at = found;
  }
  return text.slice(0, at).split("\n").length;
}
