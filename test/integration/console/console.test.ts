/**
 * The web console in headless Chromium through the real relay: the key asked for and asked again
 * when wrong, the pipelines, the DLQ listed and filtered, an entry opened, retried and deleted
 * after a confirmation naming it, a bulk retry's dry run and its job, and the audit trail. The
 * DLQ entries are the relay's own: message rows without a payload (dead-lettered, not
 * replayable) and law rows whose Generate kept failing (replayable once the LLM answers).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { RedisClient } from "bun";
import type { Browser } from "playwright-core";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, type LlmBackendDouble, lawChangedPayload, startHoBomBackend, startLlmBackend } from "../../support/backends/index.ts";
import { dlqClient, redisSnapshot } from "../../support/http-client.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { type ConsoleSession, consoleSession, launchBrowser, rowCells, signIn, waitForText } from "./browser.ts";

let hobom: HoBomBackendDouble;
let llm: LlmBackendDouble;
// A private Redis: the audit stream and the DLQ index of this file alone.
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
let browser: Browser;
let session: ConsoleSession;

beforeAll(async () => {
  [hobom, llm, privateRedis, browser] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startLlmBackend({ apiKey: TEST_API_KEY }),
    startRedisServer(),
    launchBrowser(),
  ]);
  setup = relayTestSetup({ hobom, llm, redisUrl: privateRedis.url });
  relay = await startRelayProcess(setup.env);
  redis = inspectRedis(privateRedis.url, setup.namespace);
});

beforeEach(async () => {
  session = await consoleSession(browser, relay.httpUrl);
});

afterEach(async () => {
  const problems = [...session.problems];
  await session.close();
  hobom.reset();
  llm.reset();
  // Each test starts from an empty DLQ (entries, metadata, index, jobs); the audit trail stays.
  const client = new RedisClient(privateRedis.url);
  try {
    const keys = [...(await redis.keys("dlq*")), ...(await redis.keys("sent:*"))];
    if (keys.length > 0) await client.send("DEL", keys);
  } finally {
    client.close();
  }
  expect(problems).toEqual([]);
});

afterAll(async () => {
  redis?.close();
  await browser?.close();
  await killAllRelays();
  hobom?.stop();
  llm?.stop();
  await privateRedis?.stop();
});

const api = () => dlqClient(relay);
const origin = () => relay.httpUrl;
/** The actor the audit records for an unnamed key: its fingerprint, never the key. */
const fingerprint = (key: string) => `key:${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;

/** A message row without a payload, dead-lettered by the relay (not replayable); its key. */
async function deadMessage(): Promise<string> {
  const row = hobom.messages.add({ payload: null });
  await eventually(() => row.status === "FAILED");
  return `${setup.namespace}dlq:menu:${row.eventId}`;
}

/** Law rows whose Generate failed every attempt, dead-lettered replayable; their keys and rows. */
async function deadLaws(count: number) {
  llm.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, message: "LLM overloaded", times: 3 * count });
  const rows = Array.from({ length: count }, () => hobom.laws.add({ payload: lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` }) }));
  await eventually(() => rows.every((row) => row.status === "FAILED"));
  return rows.map((row) => ({ row, key: `${setup.namespace}dlq:law:${row.eventId}` }));
}

async function deadLaw() {
  const [law] = await deadLaws(1);
  if (!law) throw new Error("no law entry was made");
  return law;
}

describe("the api key", () => {
  test("a wrong key is refused with the API's own words and asked for again; the right one opens the console and stays for the tab", async () => {
    const { page } = session;
    // The page comes from the service itself, locked down (the headers of every console file are
    // checked in embedded.test.ts).
    const served = await page.goto(`${origin()}/console`);
    expect(served?.headers()).toMatchObject({ "x-frame-options": "DENY", "referrer-policy": "no-referrer" });
    expect(served?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await signIn(page, origin(), "not-the-key");
    await waitForText(page, "#api-key-problem", "401 unauthorized");
    expect(await page.locator("#api-key-problem").textContent()).toContain("missing or wrong x-api-key");
    expect(await page.getByLabel("API key").inputValue()).toBe("");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel("API key").fill(TEST_INTERNAL_API_KEY);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Pipelines", level: 1 }).waitFor();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([TEST_INTERNAL_API_KEY]);

    // A reload keeps the key (same tab); "Forget the api key" drops it.
    await page.reload();
    await page.getByRole("heading", { name: "Pipelines", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Forget the api key" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});

test("the pipelines page shows every pipeline with its state and DLQ entries, and the dependencies from /health", async () => {
  const key = await deadMessage();
  const { page } = session;
  await signIn(page, origin(), TEST_INTERNAL_API_KEY);
  const message = await rowCells(page, "message");
  expect(message).toContain("owned");
  expect(message.at(-1)).toBe("1");
  expect(message).toContain(`${setup.namespace}dlq:menu:`);
  await rowCells(page, "law");
  const redisRow = await rowCells(page, "redis");
  expect(redisRow[1]).toBe("healthy");

  // The entry count links to the pipeline's entries.
  await page.getByRole("link", { name: "1 DLQ entry of message" }).click();
  await page.getByRole("link", { name: key }).waitFor();
  expect(page.url()).toEndWith("#/dlq?pipeline=message");
});

describe("the dead letters", () => {
  test("lists the entries with their pipeline, event type, reason, attempts and replayability, and pages through them", async () => {
    const keys = [await deadMessage(), await deadMessage()];
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, "#/dlq");
    await waitForText(page, ".summary", "2 entries match (no filter)");
    for (const key of keys) {
      const [shownKey, pipeline, eventType, reason, attempts, , , replayable] = await rowCells(page, key);
      expect({ shownKey, pipeline, eventType, attempts, replayable }).toEqual({
        shownKey: key,
        pipeline: "message",
        eventType: "MESSAGE",
        attempts: "1",
        replayable: "no",
      });
      expect(reason).toContain("has no payload");
    }

    // One entry per page: the next page has the other one, and a way back to the first.
    await page.goto(`${origin()}/console#/dlq?limit=1`);
    await waitForText(page, ".summary", "this page shows 1");
    const first = (await page.locator("tbody a.key").allTextContents())[0];
    await page.getByRole("link", { name: "Next page" }).click();
    await page.getByRole("link", { name: "First page" }).waitFor();
    const second = (await page.locator("tbody a.key").allTextContents())[0];
    expect([first, second].sort()).toEqual([...keys].sort());
  });

  test("filters by reason text, event type, pipeline and age, and says when nothing matches", async () => {
    const messages = [await deadMessage(), await deadMessage()];
    const law = await deadLaw();
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, "#/dlq");
    await waitForText(page, ".summary", "3 entries match");
    const shown = async () => (await page.locator("tbody a.key").allTextContents()).sort();
    const search = async (fields: Record<string, string>, summary: string) => {
      for (const label of ["Pipeline", "Reason contains", "Event type", "Failed more than … ago", "Failed less than … ago"]) {
        await page.getByLabel(label, { exact: true }).fill(fields[label] ?? "");
      }
      await page.getByRole("button", { name: "Search" }).click();
      await waitForText(page, ".summary", summary);
    };

    await search({ "Reason contains": "GENERATE" }, "1 entry matches (reason contains “GENERATE”)");
    expect(await shown()).toEqual([law.key]);
    await search({ "Event type": "MESSAGE" }, "2 entries match (event type MESSAGE)");
    expect(await shown()).toEqual([...messages].sort());
    await search({ Pipeline: "law" }, "1 entry matches (pipeline law)");
    expect(await shown()).toEqual([law.key]);
    await search({ Pipeline: "message", "Failed less than … ago": "1h" }, "2 entries match (pipeline message, failed less than 1h ago)");
    expect(await shown()).toEqual([...messages].sort());
    await search({ "Failed more than … ago": "1h" }, "0 entries match");
    await page.getByText("No entry matches these filters.").waitFor();
    // The filters live in the address: a bookmark opens the same view.
    expect(decodeURIComponent(page.url())).toEndWith("#/dlq?olderThan=1h&limit=100");
  });

  test("an API error is shown with its error and detail", async () => {
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, "#/dlq?olderThan=soon");
    await waitForText(page, ".box.error", "Listing the entries failed: 400");
    expect(await page.locator(".box.error").textContent()).toContain("olderThan");
  });
});

describe("one entry", () => {
  test("opens from the list with its metadata and its stored payload, pretty-printed", async () => {
    const key = await deadMessage();
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, "#/dlq");
    await page.getByRole("link", { name: key }).click();
    await page.getByRole("heading", { name: "DLQ entry", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Stored payload" }).waitFor();
    const meta = Object.fromEntries(
      await page.locator("dl.meta dt").evaluateAll((terms) => terms.map((term) => [term.textContent, term.nextElementSibling?.textContent])),
    );
    expect(meta).toMatchObject({ Pipeline: "message", "Event type": "MESSAGE", Attempts: "1" });
    expect(meta.Reason).toContain("has no payload");
    expect(meta.Replayable).toStartWith("no");
    expect(meta.Expires).toStartWith("in ");
    const stored = (await redis.get(key)) as string;
    expect(await page.locator("pre.payload").textContent()).toBe(JSON.stringify(JSON.parse(stored), null, 2));
  });

  test("retry: the dialog names the key and Cancel changes nothing; confirmed, the answer is shown, the entry is gone and its row SENT", async () => {
    const law = await deadLaw();
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, `#/entry/${encodeURIComponent(law.key)}`);
    await page.getByRole("button", { name: "Retry" }).click();
    const dialog = page.getByRole("dialog", { name: "Retry this entry?" });
    await dialog.waitFor();
    expect(await dialog.locator("code").textContent()).toBe(law.key);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await redis.get(law.key)).not.toBeNull();

    await page.getByRole("button", { name: "Retry" }).click();
    await dialog.getByRole("button", { name: "Retry" }).click();
    await waitForText(page, ".box.ok", "Retried: DLQ retried and removed from Redis");
    expect(JSON.parse((await page.locator(".box.ok pre").textContent()) as string)).toMatchObject({
      message: "DLQ retried and removed from Redis",
      marked: "SENT",
    });
    expect(law.row.status).toBe("SENT");
    expect(await redis.get(law.key)).toBeNull();
    expect((await api().get(law.key)).status).toBe(404);
    // Nothing left to act on: the buttons are gone, the way back stays.
    expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
  });

  test("a retry the API refuses shows its error and detail and keeps the entry; delete, confirmed, removes it", async () => {
    const key = await deadMessage();
    const { page } = session;
    await signIn(page, origin(), TEST_INTERNAL_API_KEY, `#/entry/${encodeURIComponent(key)}`);
    await page.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Retry" }).click();
    await waitForText(page, ".box.error", "The retry failed; the entry is kept: 422 not replayable");
    expect(await page.locator(".box.error").textContent()).toContain("fix the row at its backend");
    expect(await redis.get(key)).not.toBeNull();

    // By keyboard: the dialog opens with Cancel focused, and Escape changes nothing.
    await page.getByRole("button", { name: "Delete" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Delete this entry?" });
    await dialog.waitFor();
    expect(await dialog.locator("code").textContent()).toBe(key);
    expect(await page.locator(":focus").textContent()).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await redis.get(key)).not.toBeNull();

    await page.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await waitForText(page, ".box.ok", "Deleted: DLQ entry removed.");
    expect(await redis.get(key)).toBeNull();
    expect((await api().get(key)).status).toBe(404);

    // Opened again, it is not found, and the page says why that may be.
    await page.reload();
    await waitForText(page, ".box.error", "404 DLQ not found");
    await page.getByText("It was retried, deleted or has expired.").waitFor();
  });
});

test("bulk retry: the dry run shows the count and the entries and changes nothing; confirmed, the job's progress is followed to its end", async () => {
  const laws = await deadLaws(2);
  const other = await deadMessage();
  const { page } = session;
  await signIn(page, origin(), TEST_INTERNAL_API_KEY, "#/dlq?pipeline=law");
  await waitForText(page, ".summary", "2 entries match (pipeline law)");
  await page.getByRole("link", { name: "Retry the matching entries…" }).click();
  await page.getByRole("heading", { name: "Retry in bulk", level: 1 }).waitFor();

  const before = await redisSnapshot(redis);
  await page.getByRole("button", { name: "Dry run" }).click();
  await waitForText(page, ".summary", "2 entries would be retried. Nothing was changed.");
  expect((await page.locator("tbody a.key").allTextContents()).sort()).toEqual(laws.map((law) => law.key).sort());
  expect(await redisSnapshot(redis)).toEqual(before);
  expect(laws.map((law) => law.row.status)).toEqual(["FAILED", "FAILED"]);

  await page.getByRole("button", { name: "Retry 2 entries…" }).click();
  const dialog = page.getByRole("dialog", { name: "Retry 2 entries?" });
  expect(await dialog.locator("code").textContent()).toBe("pipeline law");
  await dialog.getByRole("button", { name: "Start the retry" }).click();
  await page.getByRole("heading", { name: "Bulk retry", level: 1 }).waitFor();
  await waitForText(page, "[role=status]", "State: succeeded (HTTP 200)");
  await waitForText(page, "p", "2 done, 0 failed, 0 remaining of 2");
  for (const law of laws) expect((await rowCells(page, law.key)).slice(1, 3)).toEqual(["200", "retried"]);
  expect(laws.map((law) => law.row.status)).toEqual(["SENT", "SENT"]);
  for (const law of laws) expect(await redis.get(law.key)).toBeNull();
  // The filter held: the message entry was not touched.
  expect(await redis.get(other)).not.toBeNull();

  // The job is listed with the others.
  await page.getByRole("link", { name: "Bulk retries" }).click();
  const listed = await rowCells(page, "succeeded");
  expect(listed.at(-1)).toBe("2 done, 0 failed, 0 remaining of 2");
});

test("the audit trail shows the changes made from the console and the refused key, with who made them", async () => {
  const key = await deadMessage();
  const { page } = session;
  await signIn(page, origin(), "wrong-key-for-the-audit", `#/entry/${encodeURIComponent(key)}`);
  await page.locator("#api-key-problem").waitFor();
  await page.getByLabel("API key").fill(TEST_INTERNAL_API_KEY);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await waitForText(page, ".box.ok", "Deleted");

  await page.getByRole("link", { name: "Audit trail" }).click();
  await page.getByRole("heading", { name: "Audit trail", level: 1 }).waitFor();
  const deleted = await rowCells(page, key);
  expect(deleted.slice(1)).toEqual([fingerprint(TEST_INTERNAL_API_KEY), "dlq.delete", key, "ok", "200", expect.any(String)]);
  const refused = page.getByRole("row").filter({ hasText: fingerprint("wrong-key-for-the-audit") });
  expect(await refused.getByRole("cell").nth(2).textContent()).toBe("auth.refused");
  // The trail never holds a key itself.
  expect(await page.locator("table").textContent()).not.toContain(TEST_INTERNAL_API_KEY);
});
