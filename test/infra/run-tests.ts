/**
 * The test command (`npm test`, CI): runs the static checks (Biome, tsc) on a whole run, ensures
 * the shared test bed, runs `bun test` against it (arguments pass through, e.g. a path filter)
 * and ends with one line, `N passed, N failed`
 * (`, N skipped` when some were), and bun test's exit code. A run where nothing ran, or whose
 * summary cannot be read, fails: a green result must mean tests really passed.
 */
import { ensureDebianPackages, TEST_PROGRAMS } from "./debian-packages.ts";
import { runStaticChecks } from "./static-checks.ts";
import { describeTestbed, ensureTestbed, testbedEnvVars } from "./testbed.ts";

const args = process.argv.slice(2);
// A whole run (CI, `npm test`) also formats, lints and type-checks; a run of some files does not.
const checks = args.some((arg) => !arg.startsWith("-")) ? { passed: 0, failed: 0 } : await runStaticChecks();

const started = Date.now();
await ensureDebianPackages(TEST_PROGRAMS);
const testbed = await ensureTestbed();
console.log(`test bed (${seconds(started)}):\n${describeTestbed(testbed)}\n`);

// Integration tests start brokers and servers, and Bun's default per-test timeout is 5 s; bunfig
// has no key for it and setDefaultTimeout() in the preload reaches only the first test file.
const timeout = args.some((arg) => arg.startsWith("--timeout")) ? [] : ["--timeout=60000"];
const bunTest = Bun.spawn([process.execPath, "test", ...timeout, ...args], {
  stdin: "ignore",
  stdout: "pipe",
  stderr: "pipe",
  env: {
    ...process.env,
    ...testbedEnvVars(testbed),
    // bun test sees pipes, not the terminal, and would otherwise drop its colours.
    ...(process.stderr.isTTY ? { FORCE_COLOR: "1" } : {}),
  },
});
const [, stderrText, exitCode] = await Promise.all([relay(bunTest.stdout, process.stdout), relay(bunTest.stderr, process.stderr), bunTest.exited]);

const summary = parseSummary(stderrText);
const passed = (summary?.pass ?? 0) + checks.passed;
const failed = (summary?.fail ?? 0) + checks.failed;
const skipped = (summary?.skip ?? 0) + (summary?.todo ?? 0);
let ok = exitCode === 0 && failed === 0;
if (!summary) {
  console.error("run-tests: could not find bun test's summary (lines like ' 3 pass' / ' 0 fail') in its output");
  ok = false;
} else if (summary.pass + summary.fail === 0) {
  console.error("run-tests: no test ran");
  ok = false;
}
if (failed > 0) {
  console.error(`run-tests: Kafka broker log: ${testbed.kafkaLogFile}`);
  console.error(`run-tests: Kafka cluster logs: ${testbed.kafkaClusterLogDir}/node-<id>.log`);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(ok ? 0 : exitCode || 1);

/** Copies a child's stream to ours as it arrives and returns everything it carried. */
async function relay(stream: ReadableStream<Uint8Array>, to: NodeJS.WriteStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    to.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** bun test's closing counts (" 12 pass", " 0 fail", " 1 skip", " 2 todo"); null without pass and fail. */
function parseSummary(output: string): Record<"pass" | "fail" | "skip" | "todo", number> | null {
  const counts = { pass: -1, fail: -1, skip: 0, todo: 0 };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this strips
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  for (const match of plain.matchAll(/^\s*(\d+) (pass|fail|skip|todo)\s*$/gm)) {
    counts[match[2] as keyof typeof counts] = Number(match[1]);
  }
  return counts.pass < 0 || counts.fail < 0 ? null : counts;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
