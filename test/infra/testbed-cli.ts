/**
 * Manages the shared test bed by hand (CI runs `down` at the end):
 *   bun test/infra/testbed-cli.ts up      start (or reuse) Kafka, the Kafka cluster and Redis, print where they run
 *   bun test/infra/testbed-cli.ts status  print what runs, without starting anything
 *   bun test/infra/testbed-cli.ts down    stop the shared Kafka, the cluster, any Redis the test bed
 *                                         started, and Kafka JVMs that dead test processes left behind
 */
import { sharedKafkaStatus, stopSharedKafkaBroker } from "./kafka-broker.ts";
import { reapAbandonedKafkaDirs } from "./kafka-dirs.ts";
import { sharedKafkaClusterStatus, stopSharedKafkaCluster } from "./kafka-shared-cluster.ts";
import { sharedRedisStatus, stopSharedRedis } from "./redis-shared.ts";
import { describeTestbed, ensureTestbed } from "./testbed.ts";

const command = process.argv[2];
switch (command) {
  case "up": {
    const started = Date.now();
    const testbed = await ensureTestbed();
    console.log(`test bed ready (${((Date.now() - started) / 1000).toFixed(1)} s):\n${describeTestbed(testbed)}`);
    break;
  }
  case "status": {
    const [kafka, cluster, redis] = await Promise.all([sharedKafkaStatus(), sharedKafkaClusterStatus(), sharedRedisStatus()]);
    console.log(
      kafka
        ? `kafka    ${kafka.brokers.join(",")}  Kafka ${kafka.version}, pid ${kafka.pid}, ${kafka.healthy ? "up" : "NOT RESPONDING"}\n         log ${kafka.logFile}`
        : "kafka    not started",
    );
    console.log(
      cluster
        ? `cluster  ${cluster.brokers.join(",")}  Kafka ${cluster.version}, pids ${cluster.nodes.map((node) => node.pid).join(",")}, ${cluster.healthy ? "up" : "NOT RESPONDING"}\n         logs ${cluster.logDir}/node-<id>.log`
        : "cluster  not started",
    );
    console.log(redis ? `redis    ${redis.url}  ${redis.owner}, ${redis.healthy ? "up" : "NOT RESPONDING"}` : "redis    not started");
    break;
  }
  case "down": {
    const [kafka, cluster, redis] = await Promise.all([stopSharedKafkaBroker(), stopSharedKafkaCluster(), stopSharedRedis()]);
    const reaped = reapAbandonedKafkaDirs();
    console.log(kafka ? `kafka    stopped pid ${kafka.pid} (${kafka.brokers.join(",")})` : "kafka    was not running");
    console.log(
      cluster ? `cluster  stopped pids ${cluster.nodes.map((node) => node.pid).join(",")} (${cluster.brokers.join(",")})` : "cluster  was not running",
    );
    console.log(redis ? `redis    stopped pid ${redis.pid} (port ${redis.port})` : "redis    none started by the test bed");
    if (reaped > 0) console.log(`private  killed ${reaped} Kafka JVM(s) that dead test processes left behind`);
    break;
  }
  default:
    console.error("usage: bun test/infra/testbed-cli.ts up|down|status");
    process.exit(2);
}
