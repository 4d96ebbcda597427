// Telling the operator what happened: the API's `error` and `detail` as it sent them, what a
// success answered, and the page-wide alert for what stopped a view from loading.
import { ApiError, UnreachableError } from "./api.js";
import { el } from "./dom.js";
import { pretty } from "./format.js";

/** A box naming what failed: for an API error its status, `error` and `detail`. */
export function errorBox(error, doing) {
  const lines = [];
  if (error instanceof ApiError) {
    lines.push(el("p", {}, el("strong", {}, `${doing ? `${doing}: ` : ""}${error.status} ${error.error}`)));
    if (error.detail) lines.push(el("p", { class: "detail" }, error.detail));
  } else if (error instanceof UnreachableError) {
    lines.push(el("p", {}, el("strong", {}, `${doing ? `${doing}: ` : ""}the service did not answer`)));
    lines.push(el("p", { class: "detail" }, `${error.message}. Check that it is running and reachable, then try again.`));
  } else {
    lines.push(el("p", {}, el("strong", {}, `${doing ? `${doing}: ` : ""}the console failed`)));
    lines.push(el("p", { class: "detail" }, String(error?.message ?? error)));
  }
  return el("div", { class: "box error" }, lines);
}

/** A box with what a successful call answered: a sentence, then the answer itself. */
export function answerBox(summary, body) {
  return el("div", { class: "box ok" }, el("p", {}, el("strong", {}, summary)), body === undefined ? null : el("pre", { class: "answer-body" }, pretty(body)));
}

/** Shows (or, with nothing, clears) the page-wide alert. */
export function setAlert(node) {
  const region = document.getElementById("alert");
  if (node) region.replaceChildren(node);
  else region.replaceChildren();
}
