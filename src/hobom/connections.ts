/** The HoBom backends' connections as gRPC channel targets: where each is, its key, its name. */
import type { Config, ConnectionName } from "../config/config.ts";
import type { ChannelTarget } from "../grpc/channels.ts";

/** Human names of the connections, used in errors, logs and health. */
export const BACKEND_NAMES: Readonly<Record<ConnectionName, string>> = Object.freeze({
  main: "for-hobom-backend",
  space: "hobom-space-backend",
  angel: "for-hobom-angel-backend",
  llm: "hobom-llm-service-backend",
});

/** The configured connections, named. */
export function hobomTargets(connections: Config["grpc"]["connections"]): Partial<Record<ConnectionName, ChannelTarget>> {
  const targets: Partial<Record<ConnectionName, ChannelTarget>> = {};
  for (const name of Object.keys(BACKEND_NAMES) as ConnectionName[]) {
    const target = connections[name];
    if (target) targets[name] = { ...target, name: BACKEND_NAMES[name] };
  }
  return targets;
}
