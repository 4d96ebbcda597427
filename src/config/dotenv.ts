/**
 * A `.env` file: `KEY=value` lines, `#` comments, optional `export `, values optionally in single
 * or double quotes. Enough for an env file written by an operator or a systemd `EnvironmentFile`.
 */

/** Parses `.env` text; a line that is not `KEY=value` is reported with its number, after `name` (the file). */
export function parseDotenv(source: string, name = ".env"): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  source.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      problems.push(`${name} line ${index + 1}: expected KEY=value`);
      return;
    }
    values[match[1] as string] = unquote(match[2] as string);
  });
  return { values, problems };
}

function unquote(raw: string): string {
  // A quoted value, optionally followed by an inline comment.
  const quoted = /^(["'])(.*?)\1\s*(?:#.*)?$/.exec(raw);
  if (quoted) {
    const inner = quoted[2] as string;
    return quoted[1] === '"' ? inner.replace(/\\n/g, "\n").replace(/\\"/g, '"') : inner;
  }
  return raw.replace(/\s+#.*$/, "");
}
