/**
 * The jars of an Apache Kafka server, resolved by Maven from Maven Central (CI boxes have Java and
 * Maven but neither Docker nor access to the Kafka download site) and cached per Kafka version in
 * .testbed/kafka-jars/<version>/. test/infra/kafka/pom.xml names the version and the artifacts.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { elapsed, progress, TESTBED_DIR } from "./processes.ts";

const POM = join(import.meta.dir, "kafka", "pom.xml");

/** The Kafka version the test bed runs: <kafka.version> in test/infra/kafka/pom.xml. */
export function kafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, "utf8"))?.[1];
  if (!version) throw new Error(`no <kafka.version> in ${POM}`);
  return version;
}

// One fetch per process: the shared broker and the shared cluster ask at the same time.
let fetching: Promise<string> | undefined;

/**
 * The directory holding every jar of the Kafka server (for `java -cp <dir>/*`), fetched with
 * Maven on the first call on a machine (minutes) and taken from the cache afterwards.
 */
export function kafkaJars(): Promise<string> {
  fetching ??= fetchKafkaJars().catch((error: unknown) => {
    fetching = undefined;
    throw error;
  });
  return fetching;
}

async function fetchKafkaJars(): Promise<string> {
  const version = kafkaVersion();
  const dir = join(TESTBED_DIR, "kafka-jars", version);
  if (existsSync(join(dir, ".complete"))) return dir;
  // Fetch next to the cache and rename into place, so an interrupted fetch never looks complete.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  progress(`fetching Kafka ${version} jars with Maven into ${relative(process.cwd(), dir)} (first run only)`);
  const ticker = setInterval(() => progress(`still fetching Kafka jars (${elapsed(started)})`), 15_000);
  try {
    const mvn = Bun.spawn(["mvn", "-q", "-B", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${tmp}`], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(mvn.stdout).text(), new Response(mvn.stderr).text(), mvn.exited]);
    if (code !== 0) throw new Error(`mvn dependency:copy-dependencies failed (exit ${code}):\n${out}${err}`);
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(join(tmp, ".complete"), "");
  // Another process may have completed the same fetch meanwhile; its copy is as good as ours.
  if (existsSync(join(dir, ".complete"))) {
    rmSync(tmp, { recursive: true, force: true });
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  progress(`Kafka ${version} jars ready (${elapsed(started)})`);
  return dir;
}
