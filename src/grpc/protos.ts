/**
 * The HoBom wire contracts, embedded in the executable.
 *
 * `with { type: "file" }` makes `bun build --compile` carry each .proto inside the binary and
 * hands back a path that `fs` can read there (`/$bunfs/...`) as well as in a checkout, so the
 * shipped binary needs no file beside it. The well-known `google/protobuf/*` imports are
 * resolved by protobufjs from its built-in copies.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import lawProto from "../../proto/law.proto" with { type: "file" };
import llmProto from "../../proto/llm.proto" with { type: "file" };
import angelProto from "../../proto/outbox_angel.proto" with { type: "file" };
import lawOutboxProto from "../../proto/outbox_law.proto" with { type: "file" };
import logProto from "../../proto/outbox_log.proto" with { type: "file" };
import messageProto from "../../proto/outbox_message.proto" with { type: "file" };
import spaceProto from "../../proto/outbox_space.proto" with { type: "file" };

/**
 * How messages are decoded into plain objects, the same for the relay and the test doubles:
 * field names exactly as in the .proto (camelCase, or snake_case in `outbox.angel`), int64 as
 * decimal strings (so `pageId` never loses precision), enums by name, absent scalars filled with
 * their defaults, absent messages as `null`, and the name of the set oneof member in `kind`.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** The embedded .proto files, for decoders built from them (the gRPC outbox source's Find decoders). */
export const PROTO_FILES = [messageProto, logProto, spaceProto, lawOutboxProto, lawProto, llmProto, angelProto];

/** Full service names, as they appear after the leading slash of a gRPC method path. */
export const SERVICES = Object.freeze({
  messageFind: "outbox.message.FindHoBomMessageOutboxController",
  messagePatch: "outbox.message.PatchOutboxController",
  logFind: "outbox.log.FindHoBomLogOutboxController",
  spaceFind: "outbox.space.FindHoBomSpaceOutboxController",
  spacePatch: "outbox.space.PatchHoBomSpaceOutboxController",
  lawFind: "outbox.law.FindHoBomLawOutboxController",
  lawSave: "law.SaveStudyMaterialController",
  llm: "llm.StudyMaterialService",
  angelFind: "outbox.angel.FindHoBomAngelOutboxController",
  angelPatch: "outbox.angel.PatchHoBomAngelOutboxController",
} as const);

export type ServiceKey = keyof typeof SERVICES;

/** The gRPC service definitions of every HoBom contract, keyed as in {@link SERVICES}. */
export type HoBomServices = Readonly<Record<ServiceKey, grpc.ServiceDefinition>>;

/**
 * Parses the embedded protos once and returns every service definition. Both the relay's clients
 * (`grpc.makeGenericClientConstructor`) and the test doubles (`server.addService`) are built from
 * these, so the two can never disagree about the wire.
 */
export function loadHoBomServices(): HoBomServices {
  const definition = protoLoader.loadSync(PROTO_FILES, PROTO_LOADER_OPTIONS);
  const services = {} as Record<ServiceKey, grpc.ServiceDefinition>;
  for (const [key, fullName] of Object.entries(SERVICES) as [ServiceKey, string][]) {
    const service = definition[fullName];
    if (!service || !isServiceDefinition(service)) {
      throw new Error(`embedded protos lack service ${fullName}; the build is broken`);
    }
    services[key] = service as grpc.ServiceDefinition;
  }
  return Object.freeze(services);
}

function isServiceDefinition(value: unknown): boolean {
  return typeof value === "object" && value !== null && !("format" in value) && !("type" in value);
}

/** Decoders that replace grpc-js's whole-message decoding of a response, by service. */
export type ResponseDecoders = Readonly<Partial<Record<ServiceKey, (bytes: Buffer) => unknown>>>;
