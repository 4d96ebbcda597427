import { describe, expect, test } from "bun:test";
import { displayWidth, printable, renderTable, truncate } from "../../../../src/edge/cli/table.ts";

interface Row {
  readonly name: string;
  readonly count: number;
  readonly note: string;
}

const columns = [
  { header: "NAME", value: (row: Row) => row.name },
  { header: "N", value: (row: Row) => String(row.count), align: "right" as const },
  { header: "NOTE", value: (row: Row) => row.note, fit: true },
];

describe("renderTable", () => {
  test("pads every column to its widest cell, numbers to the right, and leaves no trailing space", () => {
    const lines = renderTable(
      columns,
      [
        { name: "a", count: 5, note: "short" },
        { name: "longer-name", count: 123, note: "x" },
      ],
      200,
    );
    expect(lines).toEqual(["NAME           N  NOTE", "a              5  short", "longer-name  123  x"]);
  });

  test("shortens the fitting column with … to the width, never below 20 columns", () => {
    const row = { name: "k", count: 1, note: "a".repeat(100) };
    const [, line] = renderTable(columns, [row], 40);
    expect(displayWidth(line as string)).toBe(40);
    expect(line?.endsWith("a…")).toBe(true);
    const [, narrow] = renderTable(columns, [row], 10);
    expect(narrow).toBe(`k     1  ${"a".repeat(19)}…`);
  });

  test("aligns Korean text by its display width (two columns a character)", () => {
    const lines = renderTable(
      columns,
      [
        { name: "한글", count: 1, note: "n" },
        { name: "abcd", count: 2, note: "n" },
      ],
      200,
    );
    expect(lines).toEqual(["NAME  N  NOTE", "한글  1  n", "abcd  2  n"]);
  });

  test("a value's line breaks become spaces and its control characters (escape sequences) are dropped", () => {
    const [, line] = renderTable(columns, [{ name: "k", count: 1, note: "kafka said:\nno\x1b[31m red" }], 200);
    expect(line).toBe("k     1  kafka said: no[31m red");
  });
});

describe("truncate and printable", () => {
  test("truncate keeps text that fits and cuts wide characters whole", () => {
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("가나다라", 5)).toBe("가나…");
  });

  test("printable drops C0 and C1 control characters", () => {
    expect(printable("a\u0000b\u009bc\td")).toBe("abc d");
  });
});
