/**
 * The dead-letter view and retry (the functions live in deadLetters.ts; the `twinpath jobs` CLI calls the same).
 *
 *   npm run workers:dead-letters -- [list] [--json] [--limit N] [queue ...]
 *   npm run workers:dead-letters -- retry <jobId ...>
 *   npm run workers:dead-letters -- retry --queue execute [--queue submit ...]
 *   npm run workers:dead-letters -- --help
 *
 * Redis and the prefix come from REDIS_URL and QUEUE_PREFIX (default twinpath), as for the workers.
 */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { ALL_QUEUES, type QueueName } from "./names.js";
import { formatDeadLetters, formatRetryResult, listDeadLetters, retryDeadLetters } from "./deadLetters.js";
import type { QueueContext } from "./connection.js";

const queueName = (value: string, previous: QueueName[] = []): QueueName[] => {
  if (!ALL_QUEUES.includes(value as QueueName)) throw new InvalidArgumentError(`unknown queue '${value}'; queues are ${ALL_QUEUES.join(", ")}`);
  return [...previous, value as QueueName];
};
const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

function context(): QueueContext {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    console.error("REDIS_URL is not set (the workers' Redis, e.g. redis://127.0.0.1:6379); QUEUE_PREFIX defaults to twinpath");
    process.exit(2);
  }
  return { redisUrl, prefix: process.env.QUEUE_PREFIX || "twinpath" };
}

const program = new Command("workers:dead-letters")
  .description("Failed jobs of the Twinpath workers with their reasons, and retrying them once the cause is fixed.\nUses REDIS_URL and QUEUE_PREFIX (default twinpath).")
  .showHelpAfterError();

program
  .command("list", { isDefault: true })
  .description("list failed jobs, newest first (every queue, every verification node's, unless queues are named)")
  .addArgument(new Argument("[queues...]", `queues to list (${ALL_QUEUES.join(", ")})`).argParser(queueName))
  .option("--json", "print JSON")
  .addOption(new Option("--limit <n>", "at most this many").default(100).argParser(positiveInt))
  .action(async (queues: QueueName[] | undefined, o: { json?: boolean; limit: number }) => {
    const letters = await listDeadLetters(context(), queues?.length ? queues : ALL_QUEUES, o.limit);
    console.log(o.json ? JSON.stringify(letters, null, 2) : formatDeadLetters(letters));
  });

program
  .command("retry")
  .description("move failed jobs back to waiting with fresh attempts: the given job ids, or every failed job of --queue")
  .argument("[jobIds...]", "ids as `list` shows them (e.g. execute-31337-12)")
  .option("--queue <queue>", "retry every failed job of this queue (repeatable)", queueName)
  .option("--json", "print JSON")
  .action(async (jobIds: string[], o: { queue?: QueueName[]; json?: boolean }) => {
    if (!jobIds.length === !o.queue) {
      console.error("give job ids or --queue (not both)");
      process.exit(2);
    }
    const result = await retryDeadLetters(context(), o.queue ? { queues: o.queue } : { jobIds });
    console.log(o.json ? JSON.stringify(result, null, 2) : formatRetryResult(result));
    if (result.notFound.length || result.notFailed.length) process.exitCode = 1;
  });

await program.parseAsync();
process.exit(process.exitCode ?? 0);
