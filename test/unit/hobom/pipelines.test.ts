import { describe, expect, test } from "bun:test";
import type { BackendTarget, Connections } from "../../../src/config/config.ts";
import { loadConfig } from "../../../src/config/load-config.ts";
import { MappingError } from "../../../src/engine/errors.ts";
import type { EventPipeline, HoBomPipeline, LogPipeline } from "../../../src/hobom/pipeline.ts";
import { ANGEL_EVENT_TYPES, ANGEL_PAGE_LIMIT, enabledPipelines, PIPELINES, pipelineByDlqPrefix } from "../../../src/hobom/pipelines.ts";
import { accessLog, approval, logPayload, messagePayload, outboxRow, spacePayload } from "./payloads.ts";

const target: BackendTarget = { address: "localhost:50051", apiKey: "k" };
const byName = (name: string): HoBomPipeline => {
  const pipeline = PIPELINES.find((candidate) => candidate.name === name);
  if (!pipeline) throw new Error(`no pipeline ${name}`);
  return pipeline;
};

/** The topic names the default configuration gives each topic role. */
function defaultTopics() {
  const result = loadConfig({ env: { HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_GRPC_API_KEY: "k" } });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config.kafka.topics;
}

describe("the pipeline table", () => {
  test("has the seven pipelines of the contracts, in start order", () => {
    expect(PIPELINES.map((pipeline) => pipeline.name)).toEqual(["message", "log", "space", "space-log", "law", "angel", "angel-log"]);
    expect(Object.isFrozen(PIPELINES)).toBe(true);
  });

  test("gives each pipeline the contracts' Find event types, topic, DLQ prefix, key and marks", () => {
    const topics = defaultTopics();
    const rows = PIPELINES.map((pipeline) => ({
      name: pipeline.name,
      kind: pipeline.kind,
      find: `${pipeline.find.connection}/${pipeline.find.service}.${pipeline.find.method}`,
      eventTypes: [...pipeline.find.eventTypes],
      topic: pipeline.kind === "law" ? undefined : topics[pipeline.topic],
      keyPrefix: pipeline.kind === "log" ? pipeline.keyPrefix : undefined,
      mark: `${pipeline.mark.connection}/${pipeline.mark.service}`,
      dlqPrefix: pipeline.dlqPrefix,
    }));
    const FIND = "FindOutboxByEventTypeAndStatusUseCase";
    const LOG_FIND = "FindLogOutboxByEventTypeAndStatusUseCase";
    expect(rows).toEqual([
      {
        name: "message",
        kind: "event",
        find: `main/messageFind.${FIND}`,
        eventTypes: ["MESSAGE"],
        topic: "hobom.messages",
        keyPrefix: undefined,
        mark: "main/messagePatch",
        dlqPrefix: "dlq:menu:",
      },
      {
        name: "log",
        kind: "log",
        find: `main/logFind.${LOG_FIND}`,
        eventTypes: ["HOBOM_LOG"],
        topic: "hobom.logs",
        keyPrefix: "hobom-log",
        mark: "main/messagePatch",
        dlqPrefix: "dlq:log:",
      },
      {
        name: "space",
        kind: "event",
        find: `space/spaceFind.${FIND}`,
        eventTypes: ["SPACE_EVENT"],
        topic: "hobom.space-events",
        keyPrefix: undefined,
        mark: "space/spacePatch",
        dlqPrefix: "dlq:space:",
      },
      {
        name: "space-log",
        kind: "log",
        find: `space/logFind.${LOG_FIND}`,
        eventTypes: ["SPACE_LOG"],
        topic: "hobom.logs",
        keyPrefix: "space-log",
        mark: "space/spacePatch",
        dlqPrefix: "dlq:space-log:",
      },
      {
        name: "law",
        kind: "law",
        find: `main/lawFind.${FIND}`,
        eventTypes: ["LAW_CHANGED"],
        topic: undefined,
        keyPrefix: undefined,
        mark: "main/messagePatch",
        dlqPrefix: "dlq:law:",
      },
      {
        name: "angel",
        kind: "event",
        find: `angel/angelFind.${FIND}`,
        eventTypes: ["ADOPTION_APPROVED", "FOSTER_APPROVED", "STAFF_PROMOTION_APPROVED", "SHELTER_VERIFICATION_APPROVED", "FOSTER_TERMINATED"],
        topic: "hobom.angel-events",
        keyPrefix: undefined,
        mark: "angel/angelPatch",
        dlqPrefix: "dlq:angel:",
      },
      {
        name: "angel-log",
        kind: "log",
        find: `angel/angelFind.${FIND}`,
        eventTypes: ["HOBOM_LOG"],
        topic: "hobom.logs",
        keyPrefix: "angel-log",
        mark: "angel/angelPatch",
        dlqPrefix: "dlq:angel-log:",
      },
    ]);
  });

  test("asks the angel backend, which returns at most 200 rows, for the five event types in order", () => {
    expect(ANGEL_PAGE_LIMIT).toBe(200);
    expect([...ANGEL_EVENT_TYPES]).toEqual([
      "ADOPTION_APPROVED",
      "FOSTER_APPROVED",
      "STAFF_PROMOTION_APPROVED",
      "SHELTER_VERIFICATION_APPROVED",
      "FOSTER_TERMINATED",
    ]);
    expect(byName("angel").find.pageLimit).toBe(200);
    expect(byName("angel-log").find.pageLimit).toBe(200);
    expect(byName("message").find.pageLimit).toBeUndefined();
    expect(byName("space").find.pageLimit).toBeUndefined();
  });

  test("names the backend each pipeline's rows come from, for the source header", () => {
    expect(Object.fromEntries(PIPELINES.map((pipeline) => [pipeline.name, pipeline.source]))).toEqual({
      message: "for-hobom-backend",
      log: "for-hobom-backend",
      space: "hobom-space-backend",
      "space-log": "hobom-space-backend",
      law: "for-hobom-backend",
      angel: "for-hobom-angel-backend",
      "angel-log": "for-hobom-angel-backend",
    });
  });

  test("maps each Kafka pipeline's rows with its mapper", () => {
    const now = new Date("2024-05-06T07:08:09.5Z");
    const message = byName("message") as EventPipeline;
    expect(JSON.stringify(message.toValue(outboxRow("e1", "MESSAGE", messagePayload()), now))).toContain('"sentAt":"2024-05-06T07:08:09Z"');
    const space = byName("space") as EventPipeline;
    expect(JSON.stringify(space.toValue(outboxRow("e2", "SPACE_EVENT", spacePayload({ pageId: "9007199254740993" })), now))).toContain(
      '"pageId":9007199254740993',
    );
    const angel = byName("angel") as EventPipeline;
    expect(angel.toValue(outboxRow("e3", "FOSTER_APPROVED", approval()), now).eventType).toBe("FOSTER_APPROVED");
    const log = byName("log") as LogPipeline;
    expect(log.toItem(outboxRow("e4", "HOBOM_LOG", logPayload())).serviceType).toBe("HOBOM_BACKEND");
    const angelLog = byName("angel-log") as LogPipeline;
    expect(JSON.stringify(angelLog.toItem(outboxRow("e5", "HOBOM_LOG", accessLog({ meta: { a: "b" } }))))).toContain('"serviceType":"HOBOM_ANGEL"');
  });

  test("refuses an angel row whose oneof holds the wrong kind", () => {
    const angel = byName("angel") as EventPipeline;
    const angelLog = byName("angel-log") as LogPipeline;
    expect(() => angel.toValue(outboxRow("e1", "ADOPTION_APPROVED", accessLog()), new Date())).toThrow(MappingError);
    expect(() => angelLog.toItem(outboxRow("e2", "HOBOM_LOG", approval()))).toThrow(MappingError);
    expect(() => angelLog.toItem(outboxRow("e3", "HOBOM_LOG", {}))).toThrow(MappingError);
  });
});

describe("enabledPipelines", () => {
  const names = (connections: Connections) => enabledPipelines(connections).map((pipeline) => pipeline.name);

  test("runs only message and log with the main connection alone", () => {
    expect(names({ main: target })).toEqual(["message", "log"]);
  });

  test("adds space and space-log with the space connection, law with the LLM, angel and angel-log with angel", () => {
    expect(names({ main: target, space: target })).toEqual(["message", "log", "space", "space-log"]);
    expect(names({ main: target, llm: target })).toEqual(["message", "log", "law"]);
    expect(names({ main: target, angel: target })).toEqual(["message", "log", "angel", "angel-log"]);
    expect(names({ main: target, space: target, angel: target, llm: target })).toEqual(PIPELINES.map((pipeline) => pipeline.name));
  });
});

describe("pipelineByDlqPrefix", () => {
  test("finds the pipeline that owns a DLQ prefix, the legacy dlq:menu: included", () => {
    expect(pipelineByDlqPrefix("dlq:menu:")?.name).toBe("message");
    expect(pipelineByDlqPrefix("dlq:log:")?.name).toBe("log");
    expect(pipelineByDlqPrefix("dlq:space:")?.name).toBe("space");
    expect(pipelineByDlqPrefix("dlq:space-log:")?.name).toBe("space-log");
    expect(pipelineByDlqPrefix("dlq:law:")?.name).toBe("law");
    expect(pipelineByDlqPrefix("dlq:angel:")?.name).toBe("angel");
    expect(pipelineByDlqPrefix("dlq:angel-log:")?.name).toBe("angel-log");
  });

  test("finds nothing for an unknown or partial prefix", () => {
    expect(pipelineByDlqPrefix("dlq:message:")).toBeUndefined();
    expect(pipelineByDlqPrefix("dlq:log")).toBeUndefined();
    expect(pipelineByDlqPrefix("")).toBeUndefined();
  });
});
