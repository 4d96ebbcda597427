// One DLQ entry (GET /dlq/:key): its metadata, its stored payload, and retry or delete, each
// confirmed in a dialog that names the key, with the API's answer shown as it came.
import { confirmAction } from "./confirm.js";
import { el, heading, replace } from "./dom.js";
import { duration, orDash, pretty, timeCell } from "./format.js";
import { answerBox, errorBox } from "./notice.js";

const ACTIONS = {
  retry: {
    button: "Retry",
    title: "Retry this entry?",
    message: "The stored event is delivered again; when that works, its row is marked SENT at its backend and the entry is removed.",
    call: (api, key) => api.retry(key),
    busy: "Retrying…",
    done: (body) => `Retried: ${body.message ?? "done"}. The entry is gone from the DLQ.`,
    failed: "The retry failed; the entry is kept",
  },
  remove: {
    button: "Delete",
    title: "Delete this entry?",
    message: "The entry and its metadata are removed from Redis for good; its event is not delivered and its row is left as it is.",
    call: (api, key) => api.remove(key),
    busy: "Deleting…",
    done: (body) => `Deleted: ${body.message ?? "done"}.`,
    failed: "The delete failed",
  },
};

function metadataRows(meta, expiresInSeconds) {
  const expiry = expiresInSeconds === null || expiresInSeconds === undefined ? "never" : `in ${duration(expiresInSeconds * 1000)}`;
  if (!meta)
    return [
      ["Metadata", "none: the Go processor wrote this entry (its value only)"],
      ["Expires", expiry],
    ];
  return [
    ["Pipeline", meta.pipeline],
    ["Event id", el("code", {}, meta.eventId)],
    ["Event type", orDash(meta.eventType)],
    ["Reason", orDash(meta.reason)],
    ["Attempts", orDash(meta.attempts)],
    ["First failure", timeCell(meta.firstFailedAt)],
    ["Last failure", timeCell(meta.lastFailedAt)],
    ["Replayable", meta.replayable ? "yes" : "no: it holds the raw row, whose payload could not be mapped; fix the row at its backend, then delete this entry"],
    ["Topic", orDash(meta.topic)],
    ["Record key", orDash(meta.recordKey)],
    ["Headers", meta.headers && Object.keys(meta.headers).length > 0 ? el("code", {}, JSON.stringify(meta.headers)) : "—"],
    ["Expires", expiry],
  ];
}

export async function renderEntry(context) {
  const { api, container } = context;
  const key = context.params[0];
  context.title("DLQ entry");
  const body = el("div", { "aria-busy": "true" }, el("p", {}, "Loading the entry…"));
  replace(container, heading("DLQ entry"), el("p", {}, el("code", { class: "key" }, key)), body);

  let entry;
  try {
    entry = (await api.entry(key)).body;
  } catch (error) {
    if (error?.status === 401) throw error;
    body.removeAttribute("aria-busy");
    const gone = error?.status === 404 ? el("p", {}, "It was retried, deleted or has expired.") : null;
    replace(body, errorBox(error, "Reading the entry failed"), gone, el("p", {}, el("a", { href: "#/dlq" }, "Back to the dead letters")));
    return;
  }
  body.removeAttribute("aria-busy");
  const back = el("a", { href: entry.meta?.pipeline ? `#/dlq?pipeline=${encodeURIComponent(entry.meta.pipeline)}` : "#/dlq" }, "Back to the dead letters");
  const answer = el("div", { class: "answer", role: "status", "aria-live": "polite" });
  const buttons = Object.entries(ACTIONS).map(([name, action]) =>
    el("button", { type: "button", class: name === "remove" ? "danger" : null, on: { click: (event) => run(action, event.currentTarget) } }, action.button),
  );
  const actions = el("div", { class: "actions" }, buttons, back);

  async function run(action, button) {
    const confirmed = await confirmAction({ title: action.title, message: action.message, target: key, confirmLabel: action.button });
    if (!confirmed) return;
    for (const each of buttons) each.disabled = true;
    replace(answer, el("p", {}, action.busy));
    try {
      const result = await action.call(api, key);
      replace(answer, answerBox(action.done(result.body), result.body));
      replace(actions, back);
      back.focus();
    } catch (error) {
      if (error?.status === 401) return context.fail(error);
      replace(answer, errorBox(error, action.failed));
      for (const each of buttons) each.disabled = false;
      button.focus();
    }
  }

  replace(
    body,
    el("h2", {}, "Metadata"),
    el(
      "dl",
      { class: "meta" },
      metadataRows(entry.meta, entry.expiresInSeconds).map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
    ),
    el("h2", { id: "payload-heading" }, "Stored payload"),
    el("pre", { class: "payload", tabindex: "0", "aria-labelledby": "payload-heading" }, pretty(entry.item)),
    el("h2", {}, "Actions"),
    actions,
    answer,
  );
}
