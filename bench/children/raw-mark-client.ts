/**
 * The mark limit: the relay's own gRPC adapter marking every PENDING message row SENT with 32
 * calls in flight (the relay's HOBOM_MARK_CONCURRENCY default) against the bench double, as fast
 * as the pair can go. The Find that lists the rows is not timed.
 */

import { createTaskPool } from "../../src/engine/task-pool.ts";
import { createBackendChannels } from "../../src/grpc/channels.ts";
import { loadHoBomServices } from "../../src/grpc/protos.ts";
import type { EventPipeline } from "../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../src/hobom/pipelines.ts";
import { loadFindDecoders } from "../../src/sources/grpc-outbox/find-decoder.ts";
import { createOutboxClient } from "../../src/sources/grpc-outbox/outbox-client.ts";
import { env, reportSection } from "./child-report.ts";

const CONCURRENCY = Number(process.env.BENCH_MARK_CONCURRENCY ?? "32");
const message = PIPELINES.find((pipeline) => pipeline.name === "message") as EventPipeline;
const channels = createBackendChannels({
  services: loadHoBomServices(),
  decoders: loadFindDecoders(),
  connections: { main: { address: env("BENCH_HOBOM_ADDR"), apiKey: env("BENCH_API_KEY"), name: "for-hobom-backend" } },
  maxReceiveBytes: 64 * 1024 * 1024,
});
const source = createOutboxClient({ channels, find: message.find, mark: message.mark, findTimeoutMs: 30_000, callTimeoutMs: 10_000 });
const pending = await source.findPending("MESSAGE");
const rows = pending.decode(0, pending.count);

await reportSection(async () => {
  const pool = createTaskPool(CONCURRENCY);
  let failed = 0;
  for (const row of rows) pool.add(() => source.markSent(row.eventId).catch(() => void failed++));
  await pool.drain();
  return { events: rows.length, failed };
});
channels.close();
process.exit(0);
