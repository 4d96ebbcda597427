/**
 * How tests name an rpc when they set a fault or count calls: by method name
 * ("PatchOutboxMarkAsSentUseCase"), by full path ("/outbox.message.PatchOutboxController/...")
 * when a method name is served by two services of one double (message Find and law Find share
 * "FindOutboxByEventTypeAndStatusUseCase"), or "*" for every rpc.
 */

/** A method name, a full method path, or "*". */
export type RpcKey = string;

/** Whether `key` designates the call to `path` ("/package.Service/Method"). */
export function rpcMatches(key: RpcKey, path: string): boolean {
  return key === "*" || key === path || key === methodName(path);
}

/** "Method" from "/package.Service/Method". */
export function methodName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
