// The console: asks for the api key, then shows the view the address names (#/pipelines,
// #/dlq?…, #/entry/<key>, #/bulk?…, #/jobs, #/jobs/<id>, #/audit). A view renders into a
// container of its own; one that is left before its data arrives writes into a detached node.
import { ApiError, createApi } from "./api.js";
import { renderAudit } from "./audit-view.js";
import { renderBulk } from "./bulk-view.js";
import { renderDlq } from "./dlq-view.js";
import { el, replace } from "./dom.js";
import { renderEntry } from "./entry-view.js";
import { renderJob, renderJobs } from "./jobs-view.js";
import { renderKeyForm } from "./key-form.js";
import { keyStore } from "./key-store.js";
import { errorBox, setAlert } from "./notice.js";
import { renderPipelines } from "./pipelines-view.js";

const ROUTES = [
  { pattern: /^\/pipelines$/, section: "pipelines", view: renderPipelines },
  { pattern: /^\/dlq$/, section: "dlq", view: renderDlq },
  { pattern: /^\/entry\/(.+)$/, section: "dlq", view: renderEntry },
  { pattern: /^\/bulk$/, section: "dlq", view: renderBulk },
  { pattern: /^\/jobs$/, section: "jobs", view: renderJobs },
  { pattern: /^\/jobs\/(.+)$/, section: "jobs", view: renderJob },
  { pattern: /^\/audit$/, section: "audit", view: renderAudit },
];

const api = createApi(() => keyStore.get());
// The API's last refusal of a key, shown above the key form.
let refusal = null;

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The route the address names (the pipelines when it names none), its captures and its query. */
function resolve(hash) {
  const text = hash.replace(/^#/, "");
  const mark = text.indexOf("?");
  const path = mark >= 0 ? text.slice(0, mark) : text;
  const query = new URLSearchParams(mark >= 0 ? text.slice(mark + 1) : "");
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(decode), query };
  }
  return { route: ROUTES[0], params: [], query: new URLSearchParams() };
}

function markSection(section) {
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function show({ focus }) {
  setAlert(null);
  const main = document.getElementById("main");
  const signedIn = keyStore.get() !== null;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("forget-key").hidden = !signedIn;
  if (!signedIn) {
    document.title = "API key · HoBom console";
    renderKeyForm(main, {
      refusal,
      onKey(key) {
        keyStore.set(key);
        refusal = null;
        show({ focus: true });
      },
    });
    return;
  }
  const { route, params, query } = resolve(location.hash);
  markSection(route.section);
  const container = el("div", { class: "view" });
  replace(main, container);
  const context = {
    api,
    container,
    params,
    query,
    isCurrent: () => container.isConnected,
    title: (text) => {
      document.title = `${text} · HoBom console`;
    },
    navigate: (hash) => {
      if (location.hash === hash) show({ focus: true });
      else location.hash = hash;
    },
    refresh: () => show({ focus: false }),
    /** What an action or a load failed with: a refused key asks for the key, the rest is shown. */
    fail(error, doing) {
      if (!container.isConnected) return;
      if (error instanceof ApiError && error.status === 401) {
        keyStore.clear();
        refusal = error;
        show({ focus: true });
        return;
      }
      setAlert(errorBox(error, doing));
    },
  };
  const loading = route.view(context);
  if (focus) container.querySelector(".view-heading")?.focus();
  loading.catch((error) => context.fail(error, "Loading this page failed"));
}

document.getElementById("forget-key").addEventListener("click", () => {
  keyStore.clear();
  refusal = null;
  show({ focus: true });
});
window.addEventListener("hashchange", () => show({ focus: true }));
show({ focus: false });
