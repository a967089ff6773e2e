/**
 * Dead-letter view: prints failed jobs with their reasons.
 *   REDIS_URL=redis://127.0.0.1:6379 QUEUE_PREFIX=twinpath node --import tsx workers/queues/cli.ts [--json] [--limit N] [queue...]
 */
import { parseArgs } from "node:util";
import { ALL_QUEUES, type QueueName } from "./names.js";
import { formatDeadLetters, listDeadLetters } from "./deadLetters.js";

const { values, positionals } = parseArgs({
  options: { json: { type: "boolean", default: false }, limit: { type: "string", default: "100" } },
  allowPositionals: true,
});
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.error("REDIS_URL is not set (e.g. redis://127.0.0.1:6379)");
  process.exit(2);
}
const unknown = positionals.filter((q) => !ALL_QUEUES.includes(q as QueueName));
if (unknown.length) {
  console.error(`unknown queue(s): ${unknown.join(", ")}; queues are ${ALL_QUEUES.join(", ")}`);
  process.exit(2);
}
const letters = await listDeadLetters(
  { redisUrl, prefix: process.env.QUEUE_PREFIX || "twinpath" },
  positionals.length ? (positionals as QueueName[]) : ALL_QUEUES,
  Number(values.limit),
);
console.log(values.json ? JSON.stringify(letters, null, 2) : formatDeadLetters(letters));
process.exit(0);
