/**
 * Aligned text tables for a terminal: columns padded by display width (Korean text takes two
 * columns a character), one column shortened with … to fit the terminal, no trailing spaces, and
 * no control character of a value (an error text from a backend) ever reaching the terminal.
 */

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: "left" | "right";
  /** This column takes what width is left, shortened with … (at most one column per table). */
  readonly fit?: boolean;
}

/** Space between columns. */
const GAP = "  ";
/** The fitted column keeps at least this many columns, however narrow the terminal. */
const MIN_FIT_WIDTH = 20;

/** The table's lines (header first), each at most `width` columns wide when a column fits. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], width: number): string[] {
  const cells = rows.map((row) => columns.map((column) => printable(column.value(row))));
  const widths = columns.map((column, index) => Math.max(displayWidth(column.header), ...cells.map((line) => displayWidth(line[index] as string))));
  const fit = columns.findIndex((column) => column.fit);
  if (fit >= 0) {
    const others = widths.reduce((sum, value, index) => (index === fit ? sum : sum + value), 0) + GAP.length * (columns.length - 1);
    widths[fit] = Math.min(widths[fit] as number, Math.max(MIN_FIT_WIDTH, width - others));
  }
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const column = columns[index] as Column<Row>;
        const cell = truncate(value, widths[index] as number);
        const pad = " ".repeat((widths[index] as number) - displayWidth(cell));
        return column.align === "right" ? pad + cell : cell + pad;
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)];
}

/** Columns the text takes on a terminal. */
export function displayWidth(text: string): number {
  return Bun.stringWidth(text);
}

/** The text cut to `width` columns, ending in … when it was longer. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let kept = "";
  let used = 0;
  for (const char of text) {
    const size = displayWidth(char);
    if (used + size > width - 1) break;
    kept += char;
    used += size;
  }
  return `${kept}…`;
}

/** One line of text safe to print: line breaks become spaces, other control characters are dropped. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\r\n\t]+/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
}
