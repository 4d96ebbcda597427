/** The gRPC outbox source: TLS, deadlines, response size, marks in flight. */
import { integer, text } from "../../config/parsers.ts";
import { MS, variable } from "../../config/variable.ts";

export const GRPC_OUTBOX_VARIABLES = {
  tlsCert: variable({
    name: "HOBOM_GRPC_TLS_CERT",
    doc: "PEM file of the CA that signs the backends' certificates; when set every gRPC connection uses TLS, and a file that cannot be read stops the start.",
    example: "/etc/hobom/ca.pem",
    parse: text,
  }),
  grpcTimeoutMs: variable({
    name: "HOBOM_GRPC_TIMEOUT_MS",
    doc: "Deadline of every mark, save and health call, in ms.",
    example: "10000",
    fallback: "10000",
    parse: MS,
  }),
  findTimeoutMs: variable({
    name: "HOBOM_GRPC_FIND_TIMEOUT_MS",
    doc: "Deadline of a Find call (Finds return every pending row), in ms.",
    example: "30000",
    fallback: "30000",
    parse: MS,
  }),
  grpcMaxReceiveBytes: variable({
    name: "HOBOM_GRPC_MAX_RECEIVE_BYTES",
    doc: "Largest gRPC response accepted, in bytes (Finds are unbounded).",
    example: "67108864",
    fallback: "67108864",
    parse: integer(4 * 1024 * 1024, 2 ** 31 - 1),
  }),
  markConcurrency: variable({
    name: "HOBOM_MARK_CONCURRENCY",
    doc: "Marks in flight at once per pipeline.",
    example: "32",
    fallback: "32",
    parse: integer(1, 1024),
  }),
} as const;
