/**
 * The real entrypoint when HOBOM_HTTP_ADDR's port is taken: one line on stderr that says which
 * address, that another process holds it and what to do, nothing else (no runtime source), and
 * the configuration exit code.
 */
import { afterAll, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { eventually, relayTestSetup } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";

const holders: Server[] = [];
afterAll(async () => {
  await killAllRelays();
  for (const holder of holders) holder.close();
});

test("a port another process holds stops the start with one clear line and exit code 2", async () => {
  const holder = createServer();
  holders.push(holder);
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", () => resolve()));
  const port = (holder.address() as { port: number }).port;
  const setup = relayTestSetup({
    overrides: { HOBOM_GRPC_ADDR: "127.0.0.1:1", HOBOM_GRPC_API_KEY: "k", HOBOM_HTTP_ADDR: `127.0.0.1:${port}` },
  });
  const relay = await startRelayProcess(setup.env, { waitForStart: false });
  expect(await relay.exited).toBe(2);
  // stderr is read beside the exit: wait for the line itself.
  await eventually(() => relay.stderr().endsWith("\n"), 5000);
  expect(relay.stderr()).toBe(
    `hobom-event-processor: cannot listen on 127.0.0.1:${port} (HOBOM_HTTP_ADDR): another process holds port ${port}; stop it (\`ss -ltnp 'sport = :${port}'\` shows which) or set HOBOM_HTTP_ADDR to a free port\n`,
  );
  // Nothing was started, so nothing says it was.
  expect(relay.logs.filter((line) => line.msg === "hobom-event-processor started" || line.level === "raw")).toEqual([]);
});
