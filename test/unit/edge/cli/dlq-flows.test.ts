/**
 * The dlq subcommands' flows (asking first, following a job, Ctrl-C, exit codes, --json) against
 * scripted answers of the API contract: every request the command sends is recorded, so "nothing
 * was sent" is checked too. The same commands run against the real service in test/integration/cli.
 */
import { describe, expect, test } from "bun:test";
import type { CommandSpec } from "../../../../src/edge/cli/command-spec.ts";
import { COMMAND_TABLE } from "../../../../src/edge/cli/command-table.ts";
import { dlqCommand } from "../../../../src/edge/cli/dlq-command.ts";
import { type RecordingIo, recordingIo } from "./recording-io.ts";

const BASE = "http://relay.test:8082/hobom-event-processor/internal/api/v1";

/** An answer; `first` runs before it is given (e.g. the operator pressing Ctrl-C meanwhile). */
type Reply = { status: number; body: unknown; first?: () => void } | Error;

/** A fetch that answers `METHOD /path` (query excluded) from queues of replies and records every request. */
function scriptedFetch(script: Record<string, Reply[]>) {
  const requests: { method: string; url: string; apiKey: string | null }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    requests.push({ method, url: url.replace(BASE, ""), apiKey: new Headers(init?.headers).get("x-api-key") });
    const route = `${method} ${decodeURIComponent(new URL(url).pathname.replace("/hobom-event-processor/internal/api/v1", ""))}`;
    const reply = script[route]?.shift();
    if (!reply) throw new Error(`unscripted request ${route}`);
    if (reply instanceof Error) throw reply;
    reply.first?.();
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const subcommand = (name: string) => COMMAND_TABLE.subcommands?.find((sub) => sub.name === "dlq")?.subcommands?.find((sub) => sub.name === name) as CommandSpec;

async function dlq(name: string, args: string[], script: Record<string, Reply[]>, io: RecordingIo = recordingIo()) {
  const { fetch, requests } = scriptedFetch(script);
  const code = await dlqCommand(subcommand(name), args, { env: { HOBOM_CLI_API_KEY: "cli-key" }, io, fetch });
  return { code, requests, stdout: io.stdout(), stderr: io.stderr() };
}

const job = (fields: Record<string, unknown>) => ({ id: "j-1", state: "running", total: 3, done: 0, failed: 0, remaining: 3, ...fields });
const URL_ARGS = ["--url", "http://relay.test:8082"];

describe("a bulk retry", () => {
  test("without a terminal and without --yes is refused before anything is sent", async () => {
    const answer = await dlq("retry", ["--prefix", "dlq:menu:", ...URL_ARGS], {});
    expect(answer.code).toBe(2);
    expect(answer.requests).toEqual([]);
    expect(answer.stderr).toContain("a bulk retry asks first; stdin is not a terminal, so add --yes");
  });

  test("needs --prefix or --pipeline, and its filters never go with a KEY", async () => {
    expect((await dlq("retry", ["--reason", "x", "--yes", ...URL_ARGS], {})).stderr).toContain("a bulk retry needs --prefix or --pipeline");
    const both = await dlq("retry", ["dlq:menu:a", "--prefix", "dlq:menu:", "--dry-run", ...URL_ARGS], {});
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--prefix, --dry-run choose the entries of a bulk retry; give them or a KEY, not both");
    expect((await dlq("retry", ["--prefix", "p", "--older-than", "2 hours", ...URL_ARGS], {})).stderr).toContain('--older-than "2 hours" is not an age');
    expect((await dlq("retry", ["--prefix", "p", "--rate", "0", ...URL_ARGS], {})).stderr).toContain('--rate "0" is not a whole number from 1 to 1000');
  });

  test("on a terminal it says how many entries it would retry and sends nothing when the answer is no", async () => {
    const io = recordingIo({ terminal: true, answers: ["n"] });
    const answer = await dlq(
      "retry",
      ["--pipeline", "law", "--rate", "5", ...URL_ARGS],
      { "GET /dlq/entries": [{ status: 200, body: { items: [], nextCursor: null, matched: 12 } }] },
      io,
    );
    expect(io.asked).toEqual(["Retry 12 DLQ entries (pipeline law) at 5 a second? Each is published again and removed. [y/N] "]);
    expect(answer.code).toBe(1);
    expect(answer.requests.map((request) => `${request.method} ${request.url}`)).toEqual(["GET /dlq/entries?pipeline=law&limit=1"]);
  });

  test("says yes, starts the job with the filters, follows it and exits 0 when every entry was retried", async () => {
    const io = recordingIo({ terminal: true, answers: ["yes"] });
    const answer = await dlq(
      "retry",
      ["--prefix", "dlq:menu:", "--reason", "time out", "--limit", "3", ...URL_ARGS],
      {
        "GET /dlq/entries": [{ status: 200, body: { items: [], nextCursor: null, matched: 40 } }],
        "POST /dlq/retry": [{ status: 202, body: { job: job({}), location: "/hobom-event-processor/internal/api/v1/dlq/jobs/j-1" } }],
        "GET /dlq/jobs/j-1": [
          { status: 200, body: job({ done: 1, remaining: 2 }) },
          { status: 200, body: job({ state: "succeeded", done: 3, remaining: 0, items: [] }) },
        ],
      },
      io,
    );
    expect(io.asked[0]).toStartWith('Retry 3 DLQ entries (prefix dlq:menu:, reason containing "time out") at 20 a second?');
    expect(answer.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /dlq/entries?prefix=dlq%3Amenu%3A&reason=time+out&limit=1",
      "POST /dlq/retry?prefix=dlq%3Amenu%3A&reason=time+out&limit=3",
      "GET /dlq/jobs/j-1",
      "GET /dlq/jobs/j-1",
    ]);
    expect(answer.requests.every((request) => request.apiKey === "cli-key")).toBe(true);
    expect(answer.stdout).toBe(
      "started job j-1: 3 entries to retry; following it (Ctrl-C stops following, the job goes on)\n" +
        "\r\x1b[2Kjob j-1 running: done 1, failed 0, remaining 2 of 3\r\x1b[2Kjob j-1 succeeded: done 3, failed 0, remaining 0 of 3; every entry was retried\n",
    );
    expect(answer.code).toBe(0);
  });

  test("a job that finished with failures exits 1 and lists each failed entry; --json prints the final job exactly", async () => {
    const finished = job({
      state: "partial",
      done: 2,
      failed: 1,
      remaining: 0,
      items: [{ key: "dlq:menu:b", status: 502, outcome: "failed", error: "upstream failed", detail: "kafka refused" }],
    });
    const script = () => ({
      "POST /dlq/retry": [{ status: 202, body: { job: job({}), location: "x" } }],
      "GET /dlq/jobs/j-1": [{ status: 207, body: finished }],
    });
    const human = await dlq("retry", ["--prefix", "dlq:menu:", "--yes", ...URL_ARGS], script());
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("job j-1 partial: done 2, failed 1, remaining 0 of 3; some entries failed and are still in the DLQ");
    expect(human.stdout).toMatch(/dlq:menu:b +502 +upstream failed +kafka refused/);
    const json = await dlq("retry", ["--prefix", "dlq:menu:", "--yes", "--json", ...URL_ARGS], script());
    expect(json.code).toBe(1);
    expect(json.stdout).toBe(`${JSON.stringify(finished)}\n`);
  });

  test("--dry-run lists what would be retried, asks nothing and needs no --yes", async () => {
    const entry = { key: "dlq:law:e1", pipeline: "law", eventId: "e1", eventType: "LAW_CHANGED", reason: "LLM Generate failed after 3 attempts", attempts: 3 };
    const io = recordingIo({ terminal: true });
    const answer = await dlq(
      "retry",
      ["--pipeline", "law", "--dry-run", ...URL_ARGS],
      {
        "POST /dlq/retry": [
          {
            status: 200,
            body: { dryRun: true, matched: 1, items: [{ ...entry, firstFailedAt: "2026-12-01T11:00:00.000Z", lastFailedAt: "2026-12-01T11:00:00.000Z" }] },
          },
        ],
      },
      io,
    );
    expect(answer.code).toBe(0);
    expect(io.asked).toEqual([]);
    expect(answer.requests.map((request) => request.url)).toEqual(["/dlq/retry?pipeline=law&dryRun=true"]);
    expect(answer.stdout).toContain("dlq:law:e1  law              3  1h ago        LLM Generate failed after 3 attempts");
    expect(answer.stdout).toEndWith("dry run: 1 entry would be retried (1 matched pipeline law); nothing was changed\n");
  });
});

describe("following a job", () => {
  test("Ctrl-C stops following, not the job, and prints how to follow it again or cancel it; exit 130", async () => {
    const io = recordingIo({ onSleep: () => io.interrupt() });
    const answer = await dlq("job", ["j-1", ...URL_ARGS], { "GET /dlq/jobs/j-1": [{ status: 200, body: job({}) }] }, io);
    expect(answer.code).toBe(130);
    expect(answer.requests.map((request) => `${request.method} ${request.url}`)).toEqual(["GET /dlq/jobs/j-1"]);
    expect(answer.stderr).toBe(
      "stopped following job j-1; it goes on on the instance\n" +
        "  follow it again: hobom-event-processor dlq job j-1 --url http://relay.test:8082\n" +
        "  cancel it:       hobom-event-processor dlq job j-1 --cancel --url http://relay.test:8082\n",
    );
  });

  test("Ctrl-C while the job is being started stops following once it exists, and prints its id", async () => {
    const io = recordingIo();
    const answer = await dlq(
      "retry",
      ["--prefix", "dlq:menu:", "--yes", ...URL_ARGS],
      { "POST /dlq/retry": [{ status: 202, body: { job: job({}), location: "x" }, first: () => io.interrupt() }] },
      io,
    );
    expect(answer.code).toBe(130);
    expect(answer.requests.map((request) => request.method)).toEqual(["POST"]);
    expect(answer.stdout).toStartWith("started job j-1: 3 entries to retry");
    expect(answer.stderr).toStartWith("stopped following job j-1; it goes on on the instance\n  follow it again: hobom-event-processor dlq job j-1");
  });

  test("into a pipe, progress is a plain line, not rewritten", async () => {
    const answer = await dlq("job", ["j-1", ...URL_ARGS], {
      "GET /dlq/jobs/j-1": [
        { status: 200, body: job({ done: 1, remaining: 2 }) },
        { status: 502, body: job({ state: "failed", done: 0, failed: 3, remaining: 0 }) },
      ],
    });
    expect(answer.stdout).toBe(
      "job j-1 running: done 1, failed 0, remaining 2 of 3\njob j-1 failed: done 0, failed 3, remaining 0 of 3; every entry failed; they are still in the DLQ\n",
    );
    expect(answer.code).toBe(1);
  });

  test("--no-follow prints the state once; --cancel cancels", async () => {
    const once = await dlq("job", ["j-1", "--no-follow", ...URL_ARGS], { "GET /dlq/jobs/j-1": [{ status: 200, body: job({}) }] });
    expect([once.code, once.stdout]).toEqual([0, "job j-1 running: done 0, failed 0, remaining 3 of 3\n"]);
    const cancelled = await dlq("job", ["j-1", "--cancel", ...URL_ARGS], {
      "DELETE /dlq/jobs/j-1": [{ status: 200, body: job({ state: "cancelled", done: 1, remaining: 2 }) }],
    });
    expect(cancelled.stdout).toBe("job j-1 cancelled: done 1, failed 0, remaining 2 of 3; cancelled; the entries not retried are still in the DLQ\n");
  });
});

describe("errors", () => {
  test("an API error is one line with its error and detail; 404 exits 1, 400 exits 2, 401 exits 3 and names the key's source", async () => {
    const missing = await dlq("show", ["dlq:menu:x", ...URL_ARGS], { "GET /dlq/dlq:menu:x": [{ status: 404, body: { error: "DLQ not found" } }] });
    expect([missing.code, missing.stderr]).toEqual([1, "hobom-event-processor dlq show: 404 DLQ not found\n"]);
    const bad = await dlq("show", ["bad", ...URL_ARGS], {
      "GET /dlq/bad": [{ status: 400, body: { error: "invalid key", detail: "a key is <prefix><eventId>" } }],
    });
    expect([bad.code, bad.stderr]).toEqual([2, "hobom-event-processor dlq show: 400 invalid key: a key is <prefix><eventId>\n"]);
    const refused = await dlq("show", ["k", ...URL_ARGS], {
      "GET /dlq/k": [{ status: 401, body: { error: "unauthorized", detail: "missing or wrong x-api-key" } }],
    });
    expect([refused.code, refused.stderr]).toEqual([
      3,
      "hobom-event-processor dlq show: 401 unauthorized: missing or wrong x-api-key (sent the key from HOBOM_CLI_API_KEY)\n",
    ]);
  });

  test("a route the instance does not serve says so; an answer that is not JSON is shown, not parsed", async () => {
    const old = await dlq("audit", URL_ARGS, { "GET /audit": [{ status: 404, body: { error: "not found" } }] });
    expect(old.stderr).toBe("hobom-event-processor dlq audit: 404 not found (this instance does not serve the route: is it older than this command line?)\n");
  });

  test("--json prints the API's error body on stdout as well", async () => {
    const answer = await dlq("rm", ["dlq:menu:x", "--yes", "--json", ...URL_ARGS], {
      "DELETE /dlq/dlq:menu:x": [{ status: 404, body: { error: "DLQ not found" } }],
    });
    expect([answer.code, answer.stdout]).toEqual([1, '{"error":"DLQ not found"}\n']);
  });

  test("no answer at all exits 3 with the reason", async () => {
    const answer = await dlq("show", ["k", ...URL_ARGS], { "GET /dlq/k": [Object.assign(new Error("Unable to connect"), { code: "ECONNREFUSED" })] });
    expect(answer.code).toBe(3);
    expect(answer.stderr).toBe(
      "hobom-event-processor dlq show: cannot reach http://relay.test:8082: ECONNREFUSED: Unable to connect (is the service running there? give --url or set HOBOM_HTTP_ADDR)\n",
    );
  });
});

describe("dlq ls, audit and jobs", () => {
  const entry = {
    key: "dlq:menu:e1",
    pipeline: "message",
    eventId: "e1",
    eventType: "MESSAGE",
    reason: "too large",
    attempts: 2,
    firstFailedAt: "2026-12-01T10:00:00.000Z",
    lastFailedAt: "2026-12-01T11:30:00.000Z",
    expiresAt: "2026-12-04T10:00:00.000Z",
    replayable: true,
  };

  test("ls sends the filters by the API's names and prints a table, then the command of the next page with the same options", async () => {
    const answer = await dlq("ls", ["--pipeline", "message", "--event-type", "MESSAGE", "--older-than", "1h", "--limit", "1", ...URL_ARGS], {
      "GET /dlq/entries": [{ status: 200, body: { items: [entry], nextCursor: "c-2", matched: 5 } }],
    });
    expect(answer.requests.map((request) => request.url)).toEqual(["/dlq/entries?pipeline=message&eventType=MESSAGE&olderThan=1h&limit=1"]);
    expect(answer.stdout).toBe(
      "KEY          PIPELINE  ATTEMPTS  LAST FAILURE  REASON\n" +
        "dlq:menu:e1  message          2  30m ago       too large\n" +
        "1 of 5 matched; next page: hobom-event-processor dlq ls --pipeline message --event-type MESSAGE --older-than 1h --limit 1 --cursor c-2 --url http://relay.test:8082\n",
    );
    expect((await dlq("ls", ["--limit", "501", ...URL_ARGS], {})).stderr).toContain('--limit "501" is not a whole number from 1 to 500');
  });

  test("ls --json prints the API's answer exactly", async () => {
    const body = { items: [entry], nextCursor: null, matched: 1 };
    const answer = await dlq("ls", ["--json", ...URL_ARGS], { "GET /dlq/entries": [{ status: 200, body }] });
    expect(answer.stdout).toBe(`${JSON.stringify(body)}\n`);
  });

  test("audit prints the trail and how to see older entries; jobs lists the jobs", async () => {
    const audit = await dlq("audit", ["--limit", "1", ...URL_ARGS], {
      "GET /audit": [
        {
          status: 200,
          body: {
            items: [
              {
                id: "9-0",
                at: "2026-12-01T10:00:00.000Z",
                actor: "alice",
                action: "dlq.delete",
                target: "dlq:menu:e1",
                outcome: "ok",
                status: 200,
                detail: null,
              },
            ],
            nextBefore: "9-0",
          },
        },
      ],
    });
    expect(audit.requests.map((request) => request.url)).toEqual(["/audit?limit=1"]);
    expect(audit.stdout).toBe(
      "AT                        ACTOR  ACTION      OUTCOME  STATUS  TARGET       DETAIL\n" +
        "2026-12-01T10:00:00.000Z  alice  dlq.delete  ok          200  dlq:menu:e1\n" +
        "older entries: hobom-event-processor dlq audit --limit 1 --before 9-0 --url http://relay.test:8082\n",
    );
    const jobs = await dlq("jobs", URL_ARGS, { "GET /dlq/jobs": [{ status: 200, body: { items: [] } }] });
    expect(jobs.stdout).toBe("no bulk retry job (jobs are kept 7 days)\n");
  });
});

describe("dlq rm", () => {
  test("on a terminal shows what it deletes and deletes only after yes", async () => {
    const entry = { item: {}, meta: { pipeline: "message", attempts: 2, reason: "too large" }, expiresInSeconds: 10 };
    const io = recordingIo({ terminal: true, answers: ["y"] });
    const answer = await dlq(
      "rm",
      ["dlq:menu:a", ...URL_ARGS],
      { "GET /dlq/dlq:menu:a": [{ status: 200, body: entry }], "DELETE /dlq/dlq:menu:a": [{ status: 200, body: { message: "DLQ entry removed" } }] },
      io,
    );
    expect(io.asked).toEqual(["Delete dlq:menu:a (message entry, 2 attempt(s), reason: too large)? It cannot be undone. [y/N] "]);
    expect([answer.code, answer.stdout]).toEqual([0, "deleted dlq:menu:a\n"]);
    const declined = recordingIo({ terminal: true, answers: [undefined] });
    const kept = await dlq("rm", ["dlq:menu:a", ...URL_ARGS], { "GET /dlq/dlq:menu:a": [{ status: 200, body: entry }] }, declined);
    expect([kept.code, kept.stderr, kept.requests.map((request) => request.method)]).toEqual([1, "not deleted\n", ["GET"]]);
  });
});
