// Tables of API data: a caption, a header row and one row per item, each cell built by its
// column; an empty list says so in words.
import { el } from "./dom.js";

/**
 * `columns`: `{ label, cell(row) → node or text, number? }`. The table scrolls sideways on a
 * narrow screen; the region holding it can take the focus, so the keyboard can scroll it too.
 */
export function dataTable({ caption, columns, rows, empty }) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  const head = el(
    "tr",
    {},
    columns.map((column) => el("th", { scope: "col", class: column.number ? "number" : null }, column.label)),
  );
  const body = rows.map((row) =>
    el(
      "tr",
      {},
      columns.map((column) => el("td", { class: column.number ? "number" : null }, column.cell(row))),
    ),
  );
  return el(
    "div",
    { class: "scroll", role: "region", "aria-label": caption, tabindex: "0" },
    el("table", {}, el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, body)),
  );
}
