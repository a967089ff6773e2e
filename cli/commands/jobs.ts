/**
 * `twinpath jobs dead|retry`: the workers' dead-letter view and retry (workers/queues/deadLetters.ts, the same
 * functions as `npm run workers:dead-letters`). Redis and the queue prefix: --redis-url/--queue-prefix, else
 * REDIS_URL/QUEUE_PREFIX as the workers read them, else the running `twinpath dev up` stack's.
 */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { ALL_QUEUES, type QueueName } from "../../workers/queues/names.js";
import { formatDeadLetters, formatRetryResult, listDeadLetters, retryDeadLetters } from "../../workers/queues/deadLetters.js";
import type { QueueContext } from "../../workers/queues/connection.js";
import { optionsOf, contextOf } from "../command.js";
import { CliUsageError } from "../errors.js";

const queueName = (value: string, previous: QueueName[] = []): QueueName[] => {
  if (!ALL_QUEUES.includes(value as QueueName)) throw new InvalidArgumentError(`unknown queue '${value}'; queues are ${ALL_QUEUES.join(", ")}`);
  return [...previous, value as QueueName];
};
const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

interface QueueFlags {
  redisUrl?: string;
  queuePrefix?: string;
}

function queueContext(cmd: Command): QueueContext {
  const o = optionsOf<QueueFlags>(cmd);
  const dev = contextOf(cmd).devState();
  const running = dev?.status === "up" ? dev : undefined;
  const redisUrl = o.redisUrl ?? process.env.REDIS_URL ?? running?.redisUrl;
  if (!redisUrl) throw new CliUsageError("no Redis: pass --redis-url (or set REDIS_URL) to the workers' Redis, or start the local stack with `twinpath dev up`");
  const prefix = o.queuePrefix ?? process.env.QUEUE_PREFIX ?? (redisUrl === running?.redisUrl ? running.queuePrefix : undefined) ?? "twinpath";
  return { redisUrl, prefix };
}

const withQueueOptions = (c: Command) =>
  c
    .addOption(new Option("--redis-url <url>", "the workers' Redis (env REDIS_URL; default: the dev stack's)"))
    .addOption(new Option("--queue-prefix <prefix>", "the workers' QUEUE_PREFIX (env QUEUE_PREFIX; default: the dev stack's, else twinpath)"));

export function jobsCommand(): Command {
  const jobs = new Command("jobs").description("the workers' failed jobs (the dead-letter view) and retrying them once the cause is fixed");

  withQueueOptions(
    jobs
      .command("dead")
      .description("failed jobs with their reasons, newest first (every queue, every verification node's, unless queues are named)")
      .addArgument(new Argument("[queues...]", `queues to list (${ALL_QUEUES.join(", ")})`).argParser(queueName))
      .addOption(new Option("--limit <n>", "at most this many").default(100).argParser(positiveInt))
      .option("--json", "print the failed jobs as JSON"),
  ).action(async (queues: QueueName[] | undefined, _o, cmd: Command) => {
    const o = optionsOf<{ limit: number }>(cmd);
    const ctx = contextOf(cmd);
    const letters = await listDeadLetters(queueContext(cmd), queues?.length ? queues : ALL_QUEUES, o.limit);
    ctx.out.result(letters, () => formatDeadLetters(letters));
  });

  withQueueOptions(
    jobs
      .command("retry")
      .description("move failed jobs back to waiting with fresh attempts, once their cause is fixed: the given job ids, or every failed job of --queue (the processors re-read the chain first, so nothing acts twice)")
      .argument("[jobIds...]", "ids as `twinpath jobs dead` shows them (e.g. execute-31337-12)")
      .addOption(new Option("--queue <queue>", "retry every failed job of this queue (repeatable)").argParser(queueName))
      .option("--json", "print the outcome as JSON"),
  ).action(async (jobIds: string[], _o, cmd: Command) => {
    const o = optionsOf<{ queue?: QueueName[] }>(cmd);
    if (!jobIds.length === !o.queue) throw new CliUsageError("give job ids or --queue (not both)");
    const result = await retryDeadLetters(queueContext(cmd), o.queue ? { queues: o.queue } : { jobIds });
    contextOf(cmd).out.result(result, () => formatRetryResult(result));
    if (result.notFound.length || result.notFailed.length) process.exitCode = 1;
  });

  return jobs;
}
