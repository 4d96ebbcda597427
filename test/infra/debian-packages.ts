/**
 * Programs some tests drive, installed from Debian's packages when missing, so that `npm test` on
 * a fresh machine needs nothing beyond what the README says: one apt-get run for all of them.
 */

/** The programs the suite needs beyond Bun, Java and Maven, and the package of each. */
export const TEST_PROGRAMS = [
  { command: "promtool", package: "prometheus", why: "checks the shipped alert rules (test/unit/deploy)" },
  { command: "chromium", package: "chromium", why: "runs the web console's browser tests (test/integration/console)" },
  { command: "zsh", package: "zsh", why: "runs the zsh completion test (test/integration/cli)" },
  { command: "strace", package: "strace", why: "checks the systemd unit's sandbox (test/integration/deploy)" },
] as const;

export async function ensureDebianPackages(programs: readonly { command: string; package: string; why?: string }[]): Promise<void> {
  const missing = programs.filter((program) => !Bun.which(program.command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((program) => program.package))];
  process.stderr.write(
    `testbed: installing ${packages.join(", ")} with apt-get (${missing.map((program) => `${program.command}: ${program.why ?? "needed"}`).join("; ")})\n`,
  );
  for (const command of [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...packages],
  ]) {
    const code = await Bun.spawn(command, { stdin: "ignore", stdout: "ignore", stderr: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
      .exited;
    if (code !== 0) throw new Error(`\`${command.join(" ")}\` failed (exit ${code}); install ${packages.join(" ")} yourself`);
  }
  const still = missing.filter((program) => !Bun.which(program.command));
  if (still.length > 0) throw new Error(`apt-get installed ${packages.join(", ")} but ${still.map((program) => program.command).join(", ")} is not on PATH`);
}
