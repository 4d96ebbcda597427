/**
 * The `grpc-outbox` source kind, as a pipelines file declares it: a backend that speaks one of the
 * HoBom outbox contracts embedded in the binary (its Find and mark services), at its own address
 * with its own api key.
 *
 * ```yaml
 * source:
 *   kind: grpc-outbox
 *   address: orders.internal:50051
 *   apiKey: ${ORDERS_GRPC_API_KEY}
 *   backend: orders-backend          # its name in logs and health (default: the pipeline's name)
 *   find: outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase
 *   mark: outbox.message.PatchOutboxController
 *   eventTypes: [MESSAGE]
 *   pageLimit: 200                   # optional: the most rows one Find returns
 * ```
 */
import type { Config } from "../../config/config.ts";
import type { Fields } from "../../config/fields.ts";
import { grpcAddress, ValueProblem } from "../../config/parsers.ts";
import { createPoller } from "../../engine/polling.ts";
import { createBackendChannels } from "../../grpc/channels.ts";
import { type HoBomServices, loadHoBomServices, type ResponseDecoders, SERVICES, type ServiceKey } from "../../grpc/protos.ts";
import type { Logger } from "../../observability/logger.ts";
import type { BuiltSource, SourceKind } from "../../pipelines/kind.ts";
import { createOutboxClient } from "./outbox-client.ts";
import { createGrpcOutboxSource } from "./source.ts";
import type { GrpcOutboxSpec } from "./spec.ts";

export interface GrpcOutboxOptions {
  readonly address: string;
  readonly apiKey: string;
  readonly backend?: string;
  readonly find: { readonly service: ServiceKey; readonly method: string };
  readonly mark: ServiceKey;
  readonly eventTypes: readonly string[];
  readonly pageLimit?: number;
}

/** What every grpc-outbox source of the process shares. */
export interface GrpcOutboxDependencies {
  readonly config: Config;
  readonly services: HoBomServices;
  readonly decoders: ResponseDecoders;
  readonly log: Logger;
}

/** The embedded outbox services a file may name, by full name. */
const FINDS = (Object.entries(SERVICES) as [ServiceKey, string][]).filter(([key]) => key.endsWith("Find"));
const MARKS = (Object.entries(SERVICES) as [ServiceKey, string][]).filter(([key]) => key.endsWith("Patch"));

/** The embedded services, loaded the first time a file names a grpc-outbox source. */
let embedded: HoBomServices | undefined;
const embeddedServices = () => (embedded ??= loadHoBomServices());

export const grpcOutboxKind: SourceKind<GrpcOutboxOptions, GrpcOutboxDependencies> = {
  parse(fields: Fields): GrpcOutboxOptions | undefined {
    const services = embeddedServices();
    const address = fields.string("address", { required: true, accepted: "host:port" });
    if (address !== undefined) {
      try {
        grpcAddress(address);
      } catch (error) {
        if (!(error instanceof ValueProblem)) throw error;
        fields.problem("address", `${error.message} (e.g. orders.internal:50051)`);
      }
    }
    const apiKey = fields.string("apiKey", { required: true, accepted: "the backend's x-api-key, e.g. ${ORDERS_GRPC_API_KEY}" });
    const backend = fields.string("backend");
    const findText = fields.string("find", { required: true, accepted: `one of ${findNames(services).join(", ")}` });
    const find = findText === undefined ? undefined : parseFind(findText, services);
    if (findText !== undefined && !find) fields.problem("find", `"${findText}" is not one of ${findNames(services).join(", ")}`);
    const markText = fields.string("mark", { required: true, accepted: `one of ${MARKS.map(([, name]) => name).join(", ")}` });
    const mark = MARKS.find(([, name]) => name === markText)?.[0];
    if (markText !== undefined && !mark) fields.problem("mark", `"${markText}" is not one of ${MARKS.map(([, name]) => name).join(", ")}`);
    const eventTypes = fields.strings("eventTypes", { required: true, accepted: "the event types to Find, e.g. [MESSAGE]" });
    const pageLimit = fields.integer("pageLimit", 1, 1_000_000);
    fields.rejectUnknown();
    if (address === undefined || apiKey === undefined || !find || !mark || !eventTypes) return undefined;
    return { address: address.trim(), apiKey, backend, find, mark, eventTypes, pageLimit };
  },
  build(options, deps, pipeline): BuiltSource {
    const { config } = deps;
    const backend = options.backend ?? pipeline.name;
    const channels = createBackendChannels({
      services: deps.services,
      decoders: deps.decoders,
      connections: { outbox: { address: options.address, apiKey: options.apiKey, name: backend } },
      tlsCaPem: config.grpc.tlsCaPem,
      maxReceiveBytes: config.grpc.maxReceiveBytes,
    });
    const spec: GrpcOutboxSpec = {
      find: { connection: "outbox", service: options.find.service, method: options.find.method, eventTypes: options.eventTypes, pageLimit: options.pageLimit },
      mark: { connection: "outbox", service: options.mark },
    };
    const source = createGrpcOutboxSource({
      client: createOutboxClient({ channels, ...spec, findTimeoutMs: config.grpc.findTimeoutMs, callTimeoutMs: config.grpc.callTimeoutMs }),
      find: spec.find,
      poller: createPoller({ intervalMs: config.relay.pollIntervalMs }),
      markConcurrency: config.relay.markConcurrency,
      log: deps.log.child({ pipeline: pipeline.name }),
    });
    return { source, probes: { [backend]: (timeoutMs) => channels.waitReady("outbox", timeoutMs) }, close: () => channels.close() };
  },
};

function findNames(services: HoBomServices): string[] {
  return FINDS.flatMap(([key, name]) => Object.keys(services[key]).map((method) => `${name}/${method}`));
}

function parseFind(text: string, services: HoBomServices): GrpcOutboxOptions["find"] | undefined {
  const [serviceName, method] = text.replace(/^\//, "").split("/");
  const service = FINDS.find(([, name]) => name === serviceName)?.[0];
  if (!service || !method || !services[service][method]) return undefined;
  return { service, method };
}
