/**
 * Manages the shared test bed by hand:
 *   bun test/infra/testbed-cli.ts up      start (or reuse) Kafka and Redis, print where they run
 *   bun test/infra/testbed-cli.ts status  print what runs, without starting anything
 *   bun test/infra/testbed-cli.ts down    stop the shared Kafka and any Redis the test bed started
 */
import { sharedKafkaStatus, stopSharedKafkaBroker } from "./kafka-broker.ts";
import { sharedRedisStatus, stopSharedRedis } from "./redis-server.ts";
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
    const [kafka, redis] = await Promise.all([sharedKafkaStatus(), sharedRedisStatus()]);
    console.log(
      kafka
        ? `kafka  ${kafka.brokers.join(",")}  Kafka ${kafka.version}, pid ${kafka.pid}, ${kafka.healthy ? "up" : "NOT RESPONDING"}\n       log ${kafka.logFile}`
        : "kafka  not started",
    );
    console.log(
      redis ? `redis  ${redis.url}  ${redis.owner}, ${redis.healthy ? "up" : "NOT RESPONDING"}` : "redis  not started",
    );
    break;
  }
  case "down": {
    const [kafka, redis] = await Promise.all([stopSharedKafkaBroker(), stopSharedRedis()]);
    console.log(kafka ? `kafka  stopped pid ${kafka.pid} (${kafka.brokers.join(",")})` : "kafka  was not running");
    console.log(redis ? `redis  stopped pid ${redis.pid} (port ${redis.port})` : "redis  none started by the test bed");
    break;
  }
  default:
    console.error("usage: bun test/infra/testbed-cli.ts up|down|status");
    process.exit(2);
}
