// Asking for the api key: before the first call, and again whenever the API refuses the one
// it was given (the refusal is shown, with the API's own words).
import { el, heading, replace } from "./dom.js";
import { errorBox } from "./notice.js";

/** Renders the form in `container`; `onKey(key)` gets what was entered. `refusal`: the 401, if any. */
export function renderKeyForm(container, { refusal, onKey }) {
  const problem = refusal ? errorBox(refusal, "The API refused the key") : null;
  if (problem) {
    problem.id = "api-key-problem";
    problem.append(el("p", {}, "Enter the key again."));
  }
  const input = el("input", {
    id: "api-key",
    name: "apiKey",
    type: "password",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": problem ? "api-key-problem api-key-hint" : "api-key-hint",
    "aria-invalid": problem ? "true" : null,
  });
  const form = el(
    "form",
    {
      on: {
        submit(event) {
          event.preventDefault();
          const key = input.value.trim();
          if (key !== "") onKey(key);
        },
      },
    },
    el("label", { for: "api-key" }, "API key"),
    input,
    el(
      "p",
      { class: "hint", id: "api-key-hint" },
      "The key of this service's HTTP API (HOBOM_INTERNAL_API_KEY, or one of HOBOM_INTERNAL_API_KEYS). " +
        "It stays in this browser tab (session storage, gone when the tab closes) and is sent only to this service, as x-api-key.",
    ),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Continue")),
  );
  replace(container, heading("Enter the api key"), problem, form);
  input.focus();
}
