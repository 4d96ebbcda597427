/** The HoBom backends the seven built-in pipelines talk to, and the topics they write. */
import { grpcAddress, text } from "../config/parsers.ts";
import { variable } from "../config/variable.ts";

export const HOBOM_VARIABLES = {
  grpcAddr: variable({
    name: "HOBOM_GRPC_ADDR",
    doc: "for-hobom-backend gRPC address (message, log and law outboxes, SaveStudyMaterial). Required unless HOBOM_PIPELINES_FILE is set; unset, the built-in pipelines do not run.",
    example: "localhost:50051",
    parse: grpcAddress,
  }),
  grpcApiKey: variable({
    name: "HOBOM_GRPC_API_KEY",
    doc: "x-api-key sent to for-hobom-backend; the other backends fall back to it. Required with HOBOM_GRPC_ADDR.",
    example: "s3cret",
    secret: true,
    parse: text,
  }),
  spaceAddr: variable({
    name: "HOBOM_SPACE_GRPC_ADDR",
    doc: "hobom-space-backend gRPC address; enables the space and space-log pipelines.",
    example: "localhost:50052",
    parse: grpcAddress,
  }),
  spaceApiKey: variable({
    name: "HOBOM_SPACE_GRPC_API_KEY",
    doc: "x-api-key for hobom-space-backend (default: HOBOM_GRPC_API_KEY).",
    example: "s3cret",
    secret: true,
    parse: text,
  }),
  angelAddr: variable({
    name: "HOBOM_ANGEL_GRPC_ADDR",
    doc: "for-hobom-angel-backend gRPC address; enables the angel and angel-log pipelines.",
    example: "localhost:50053",
    parse: grpcAddress,
  }),
  angelApiKey: variable({
    name: "HOBOM_ANGEL_GRPC_API_KEY",
    doc: "x-api-key for for-hobom-angel-backend (default: HOBOM_GRPC_API_KEY).",
    example: "s3cret",
    secret: true,
    parse: text,
  }),
  llmAddr: variable({
    name: "HOBOM_LLM_GRPC_ADDR",
    doc: "hobom-llm-service-backend gRPC address; enables the law pipeline.",
    example: "localhost:50054",
    parse: grpcAddress,
  }),
  llmApiKey: variable({
    name: "HOBOM_LLM_GRPC_API_KEY",
    doc: "x-api-key for hobom-llm-service-backend (default: HOBOM_GRPC_API_KEY).",
    example: "s3cret",
    secret: true,
    parse: text,
  }),
  topicMessages: variable({
    name: "HOBOM_TOPIC_MESSAGES",
    doc: "Topic of the message pipeline.",
    example: "hobom.messages",
    fallback: "hobom.messages",
    parse: text,
  }),
  topicLogs: variable({
    name: "HOBOM_TOPIC_LOGS",
    doc: "Topic of the log, space-log and angel-log pipelines.",
    example: "hobom.logs",
    fallback: "hobom.logs",
    parse: text,
  }),
  topicSpaceEvents: variable({
    name: "HOBOM_TOPIC_SPACE_EVENTS",
    doc: "Topic of the space pipeline.",
    example: "hobom.space-events",
    fallback: "hobom.space-events",
    parse: text,
  }),
  topicAngelEvents: variable({
    name: "HOBOM_TOPIC_ANGEL_EVENTS",
    doc: "Topic of the angel pipeline.",
    example: "hobom.angel-events",
    fallback: "hobom.angel-events",
    parse: text,
  }),
} as const;
