/**
 * Driving the console in headless Chromium (Debian's package, driven by playwright-core): one
 * browser per test file, a fresh context (an empty sessionStorage) per test, and a watch on every
 * page for what must never happen — a script error, a Content-Security-Policy refusal, a request
 * that leaves the service's origin, an API call without the api key.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { DLQ_BASE } from "../../support/http-client.ts";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** How long a step may wait for the page; a machine slower than this has other problems. */
const STEP_TIMEOUT_MS = 10_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM });
}

export interface ConsoleSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** What went wrong in the page so far (script errors, refused resources, stray requests). */
  readonly problems: string[];
  close(): Promise<void>;
}

/** A new context and page on `origin`'s console (not yet opened), watched for problems. */
export async function consoleSession(browser: Browser, origin: string): Promise<ConsoleSession> {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every 4xx and 5xx fetch as "Failed to load resource"; those answers are
    // what the tests provoke and check. Anything else logged as an error is a problem.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
  });
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin) problems.push(`request outside the service: ${request.url()}`);
    else if (url.pathname.startsWith(DLQ_BASE) && !request.headers()["x-api-key"])
      problems.push(`API call without x-api-key: ${request.method()} ${url.pathname}`);
  });
  return { context, page, problems, close: () => context.close() };
}

/** Opens the console and enters `key` in the key form. */
export async function signIn(page: Page, origin: string, key: string, hash = "#/pipelines"): Promise<void> {
  await page.goto(`${origin}/console${hash}`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Continue" }).click();
}

/** Waits until some element matching `selector` holds `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).first().waitFor();
}

/** The text of every cell of the table row whose link (or cell) names `key`. */
export async function rowCells(page: Page, key: string): Promise<string[]> {
  const row = page.getByRole("row").filter({ has: page.getByText(key, { exact: true }) });
  await row.first().waitFor();
  return row.first().getByRole("cell").allTextContents();
}
