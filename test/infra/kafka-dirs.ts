/**
 * The directories Kafka brokers and clusters live in, .testbed/kafka/<name>/. A private one
 * records its owner (the test process) so that what a dead owner left behind, directory and any
 * JVM still running in it, is cleaned up by the next run or by `testbed-cli down`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive, signal, TESTBED_DIR } from "./processes.ts";

const KAFKA_DIR = join(TESTBED_DIR, "kafka");

/** The shared single broker's directory name; private brokers and clusters must pick others. */
export const SHARED_BROKER_DIR = "shared";
/** The shared cluster's directory name. */
export const SHARED_CLUSTER_DIR = "shared-cluster";

/** .testbed/kafka/<name>/, absolute (process command lines name files in it). */
export function kafkaDir(name: string): string {
  return join(KAFKA_DIR, name);
}

/**
 * An empty .testbed/kafka/<name>/. A private one (`owned`) records this process as its owner, so
 * that later runs reap it once this process is gone.
 */
export function freshKafkaDir(name: string, owned: boolean): string {
  if (owned && (name === SHARED_BROKER_DIR || name === SHARED_CLUSTER_DIR)) {
    throw new Error(`"${name}" is a shared Kafka directory; pick another name`);
  }
  // No separators and no leading dot: the directory is removed recursively, ".." must not pass.
  if (!/^[\w-][\w.-]*$/.test(name)) throw new Error(`Kafka directory name ${JSON.stringify(name)}: use letters, digits, "_", "-" and inner "."`);
  const dir = kafkaDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (owned) writeFileSync(join(dir, "owner.pid"), String(process.pid));
  return dir;
}

/**
 * Kills the Kafka JVMs of private directories whose owner died and removes those directories;
 * returns how many JVMs it killed. Shared directories have no owner and are left alone.
 */
export function reapAbandonedKafkaDirs(): number {
  if (!existsSync(KAFKA_DIR)) return 0;
  let killed = 0;
  for (const name of readdirSync(KAFKA_DIR)) {
    const dir = join(KAFKA_DIR, name);
    const owner = readPid(join(dir, "owner.pid"));
    if (owner === null || owner === process.pid || processAlive(owner)) continue;
    for (const pidFile of nodePidFiles(dir)) {
      const pid = readPid(pidFile);
      // Only a JVM whose command line names this directory: the pid may have been reused.
      if (pid !== null && processAlive(pid, `${dir}/`)) {
        signal(pid, "SIGKILL");
        killed += 1;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}

/** dir/pid (a single broker) and dir/<node>/pid (a cluster's nodes). */
function nodePidFiles(dir: string): string[] {
  const files = [join(dir, "pid")];
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(join(dir, entry.name, "pid"));
    }
  } catch {
    // Removed meanwhile.
  }
  return files.filter((file) => existsSync(file));
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
