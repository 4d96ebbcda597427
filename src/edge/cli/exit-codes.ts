/** Exit codes of the commands, for systemd and scripts: 1 a check failed, 2 the configuration must be fixed. */
export const EXIT_CHECK_FAILED = 1;
export const EXIT_CONFIG = 2;
