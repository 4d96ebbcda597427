/**
 * What the console is made of, embedded in the executable as text: one page, one stylesheet and
 * the browser modules it loads (plain ES modules, no build step). The page is served at
 * `/console`; every other file beside it, at `/console/<name>`, which is what the page's relative
 * URLs and the modules' `import "./x.js"` resolve to.
 */
import api from "./page/api.js" with { type: "text" };
import css from "./page/app.css" with { type: "text" };
import app from "./page/app.js" with { type: "text" };
import auditView from "./page/audit-view.js" with { type: "text" };
import bulkView from "./page/bulk-view.js" with { type: "text" };
import confirm from "./page/confirm.js" with { type: "text" };
import dlqView from "./page/dlq-view.js" with { type: "text" };
import dom from "./page/dom.js" with { type: "text" };
import entryView from "./page/entry-view.js" with { type: "text" };
import filters from "./page/filters.js" with { type: "text" };
import format from "./page/format.js" with { type: "text" };
import page from "./page/index.htm" with { type: "text" };
import jobsView from "./page/jobs-view.js" with { type: "text" };
import keyForm from "./page/key-form.js" with { type: "text" };
import keyStore from "./page/key-store.js" with { type: "text" };
import notice from "./page/notice.js" with { type: "text" };
import pipelinesView from "./page/pipelines-view.js" with { type: "text" };
import table from "./page/table.js" with { type: "text" };

/** One file of the console as it is served. */
export interface ConsoleAsset {
  /** The URL path it is served at. */
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

/** The page's own path; the other files live under it. */
export const CONSOLE_PATH = "/console";

const HTML = "text/html; charset=utf-8";
const CSS = "text/css; charset=utf-8";
// Module scripts must be served with a JavaScript type or the browser refuses them.
const JS = "text/javascript; charset=utf-8";

const scripts: Readonly<Record<string, string>> = {
  "api.js": api,
  "app.js": app,
  "audit-view.js": auditView,
  "bulk-view.js": bulkView,
  "confirm.js": confirm,
  "dlq-view.js": dlqView,
  "dom.js": dom,
  "entry-view.js": entryView,
  "filters.js": filters,
  "format.js": format,
  "jobs-view.js": jobsView,
  "key-form.js": keyForm,
  "key-store.js": keyStore,
  "notice.js": notice,
  "pipelines-view.js": pipelinesView,
  "table.js": table,
};

/** Every file of the console, the page first. */
export const CONSOLE_ASSETS: readonly ConsoleAsset[] = [
  { path: CONSOLE_PATH, contentType: HTML, body: page },
  { path: `${CONSOLE_PATH}/app.css`, contentType: CSS, body: css },
  ...Object.entries(scripts).map(([name, body]) => ({ path: `${CONSOLE_PATH}/${name}`, contentType: JS, body })),
];
