/** The version and commit, stamped in by `bun build --define` (see package.json "build"). */
declare const HOBOM_BUILD_VERSION: string | undefined;
declare const HOBOM_BUILD_COMMIT: string | undefined;

export const VERSION = typeof HOBOM_BUILD_VERSION === "string" ? HOBOM_BUILD_VERSION : "0.1.0-dev";
export const COMMIT = typeof HOBOM_BUILD_COMMIT === "string" ? HOBOM_BUILD_COMMIT : "unknown";
