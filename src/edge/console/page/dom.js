// Building the page's elements. Text always goes in as text nodes (never parsed as HTML), so
// whatever the API answers is shown as it is and cannot become markup or script.

/**
 * `el("a", { href: "#/dlq", class: "x", on: { click } }, "text", child)`: attributes are set as
 * attributes (`true` gives an empty one; `false`, null and undefined leave it out); children
 * that are not nodes become text.
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === "class") {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children (nested arrays flattened; null, undefined and false skipped; the rest as text). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A labelled text input in its own block, with an optional hint tied to it by aria-describedby. */
export function field({ id, label, name = id, value = "", hint, type = "text", ...attributes }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return el(
    "div",
    {},
    el("label", { for: id }, label),
    el("input", { id, name, type, value, "aria-describedby": hintId, ...attributes }),
    hint ? el("p", { class: "hint", id: hintId }, hint) : null,
  );
}

/** A view's heading, focusable so that moving to a view moves a screen reader there too. */
export function heading(text, level = 1) {
  return el(`h${level}`, { tabindex: "-1", class: "view-heading" }, text);
}

/** Replaces a node's children (with the same rules as `append`). */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}
