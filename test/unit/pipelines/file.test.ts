import { describe, expect, test } from "bun:test";
import { readPipelinesFile } from "../../../src/pipelines/file.ts";

const RESERVED = { names: ["message", "log"], dlqPrefixes: ["dlq:menu:", "dlq:log:"] };
const FIND = "outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase";
const MARK = "outbox.message.PatchOutboxController";

function read(text: string, env: Record<string, string> = {}, path = "/etc/hobom/pipelines.yaml") {
  return readPipelinesFile({ path, text, env, reserved: RESERVED });
}

const GOOD = `# two outboxes that speak the message contract
pipelines:
  - name: orders
    source:
      kind: grpc-outbox
      address: \${ORDERS_ADDR}
      apiKey: \${ORDERS_KEY}
      backend: orders-backend
      find: ${FIND}
      mark: ${MARK}
      eventTypes: [MESSAGE]
    sink:
      kind: kafka
    mapping:
      topic: orders.\${eventType}
      headers:
        event-id: \${eventId}
        tenant: acme
      value: hobom.message
  - name: refunds
    dlqPrefix: "dlq:refunds-v2:"
    source: { kind: grpc-outbox, address: "refunds:50051", apiKey: k, find: "${FIND}", mark: "${MARK}", eventTypes: [MESSAGE], pageLimit: 500 }
    sink: { kind: kafka }
    mapping: { topic: refunds }
`;

describe("readPipelinesFile", () => {
  test("reads entries with their kinds' options, replacing ${NAME} from the environment", () => {
    const { declarations, problems } = read(GOOD, { ORDERS_ADDR: "orders.internal:50051", ORDERS_KEY: "s3cret" });
    expect(problems).toEqual([]);
    expect(declarations.map((entry) => [entry.name, entry.dlqPrefix, entry.source.kind, entry.sink.kind])).toEqual([
      ["orders", "dlq:orders:", "grpc-outbox", "kafka"],
      ["refunds", "dlq:refunds-v2:", "grpc-outbox", "kafka"],
    ]);
    expect(declarations[0]?.source.options).toMatchObject({
      address: "orders.internal:50051",
      apiKey: "s3cret",
      backend: "orders-backend",
      eventTypes: ["MESSAGE"],
      mark: "messagePatch",
    });
    expect(declarations[1]?.source.options).toMatchObject({ pageLimit: 500 });
  });

  test("reads the same pipelines from JSON", () => {
    const json = JSON.stringify(
      {
        pipelines: [
          {
            name: "orders",
            source: { kind: "grpc-outbox", address: "o:1", apiKey: "k", find: FIND, mark: MARK, eventTypes: ["MESSAGE"] },
            sink: { kind: "kafka" },
            mapping: { topic: "orders" },
          },
        ],
      },
      null,
      2,
    );
    const { declarations, problems } = read(json, {}, "/etc/hobom/pipelines.json");
    expect(problems).toEqual([]);
    expect(declarations.map((entry) => entry.name)).toEqual(["orders"]);
  });

  test("names the line, the key and what is accepted for each problem, all at once", () => {
    const bad = GOOD.replace("kind: kafka\n", "kind: kafak\n").replace(
      "      backend: orders-backend\n",
      "      backend: orders-backend\n      adress: typo:1\n",
    );
    const { declarations, problems } = read(bad, { ORDERS_ADDR: "orders.internal:50051" });
    expect(declarations).toEqual([]);
    expect(problems).toEqual([
      "/etc/hobom/pipelines.yaml:7: pipelines[0].source.apiKey: refers to ${ORDERS_KEY}, which is not set in the environment (set it, e.g. in the env file)",
      expect.stringMatching(
        /^\/etc\/hobom\/pipelines\.yaml:9: pipelines\[0\]\.source\.adress: is not a known key here \(known: kind, address, apiKey, backend, find, mark, eventTypes, pageLimit\)$/,
      ),
      '/etc/hobom/pipelines.yaml:14: pipelines[0].sink.kind: "kafak" is not one of kafka (the sink kinds this build has)',
    ]);
  });

  test("checks the mapping's templates: a ${…} that names no field path is a problem on its line", () => {
    const { problems } = read(GOOD.replace("topic: orders.${eventType}", "topic: orders.${event type}"), { ORDERS_ADDR: "o:1", ORDERS_KEY: "k" });
    expect(problems).toEqual([
      expect.stringMatching(
        /^\/etc\/hobom\/pipelines\.yaml:15: pipelines\[0\]\.mapping\.topic: "orders\.\$\{event type\}" \$\{event type\} is not a field path/,
      ),
    ]);
  });

  test("refuses a Find or mark service the binary does not embed, listing those it does", () => {
    const { problems } = read(GOOD.replace(`find: ${FIND}`, "find: orders.Outbox/Find"), { ORDERS_ADDR: "o:1", ORDERS_KEY: "k" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith('/etc/hobom/pipelines.yaml:9: pipelines[0].source.find: "orders.Outbox/Find" is not one of ');
    expect(problems[0]).toContain(FIND);
  });

  test("refuses a name or DLQ prefix a built-in pipeline or an earlier entry has", () => {
    const taken = GOOD.replace("name: orders", "name: message").replace('dlqPrefix: "dlq:refunds-v2:"', 'dlqPrefix: "dlq:log:"');
    const { problems } = read(taken, { ORDERS_ADDR: "o:1", ORDERS_KEY: "k" });
    expect(problems).toEqual([
      '/etc/hobom/pipelines.yaml:3: pipelines[0].name: "message" is taken (by a built-in pipeline or an entry before); names are unique',
      '/etc/hobom/pipelines.yaml:21: pipelines[1].dlqPrefix: "dlq:log:" is taken; every pipeline has a DLQ prefix of its own',
    ]);
  });

  test("says what is wrong with a file that is not YAML, or not a list of pipelines", () => {
    expect(read("pipelines: [unclosed\n").problems).toEqual([
      expect.stringMatching(/^\/etc\/hobom\/pipelines\.yaml: not valid YAML: .+ \(quote a value that ends with a colon/),
    ]);
    expect(read("pipeline:\n  - name: x\n").problems).toEqual([
      "/etc/hobom/pipelines.yaml:1: pipelines: is required (one entry per pipeline, each starting with `- name:`)",
      "/etc/hobom/pipelines.yaml:1: pipeline: is not a known key here (known: pipelines)",
    ]);
  });
});
