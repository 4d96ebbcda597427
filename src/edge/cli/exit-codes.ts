/**
 * Exit codes of the commands, for systemd and scripts: 1 a check or an operation failed, 2 the
 * configuration or the command line must be fixed, 3 the instance cannot be reached or refused
 * the api key, 130 Ctrl-C (the shells' code for SIGINT).
 */
export const EXIT_CHECK_FAILED = 1;
export const EXIT_FAILED = 1;
export const EXIT_CONFIG = 2;
export const EXIT_UNREACHABLE = 3;
export const EXIT_INTERRUPTED = 130;
