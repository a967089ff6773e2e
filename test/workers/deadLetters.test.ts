// The dead-letter view and retry against real Redis and real BullMQ workers: a job that failed permanently (a
// missing model file, say) is listed with its reason, and once the cause is fixed `retry` runs it again under the
// same id with a fresh set of attempts; a verification node's queues (own prefix) are found too; ids in another
// state or unknown are reported and left alone. The CLI answers --help and drives the same functions.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { UnrecoverableError } from "bullmq";
import type { Hex } from "viem";
import { NODE_BIN } from "../../devnet/processes.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { addJob, openQueue, openWorker, type TypedWorker } from "../../workers/queues/connection.js";
import { listDeadLetters, nodePrefixes, queueOfJobId, retryDeadLetters } from "../../workers/queues/deadLetters.js";
import { jobId, type ClaimJobData, type SettleJobData } from "../../workers/queues/jobs.js";
import { verifierQueuePrefix } from "../../workers/queues/keys.js";
import { QueueName } from "../../workers/queues/names.js";
import { queueFixture } from "../helpers/queueFixture.js";
import { until } from "../helpers/until.js";

const HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const settle = (requestId: number): SettleJobData => ({ chainId: 31337, hub: HUB, requestId: String(requestId) });
const claim = (requestId: number): ClaimJobData => ({ ...settle(requestId), proofHash: `0x${"ab".repeat(32)}` as Hex });

describe("dead letters: list and retry", { timeout: 120_000 }, () => {
  const fx = queueFixture("dl");
  before(fx.setUp);
  after(fx.tearDown);
  const { closers } = fx;
  /** the "cause" the test fixes: while true every job fails */
  let broken = true;
  const processed: string[] = [];

  const failingWorker = <Q extends "settle" | "claim">(name: Q, prefix = fx.ctx.prefix): TypedWorker<Q> => {
    const w = openWorker({ ...fx.ctx, prefix }, name, async (job) => {
      if (broken) {
        // request 1 fails permanently (the processors' UnrecoverableError), the others exhaust their retries
        if (job.data.requestId === "1") throw new UnrecoverableError("permanent: model file missing from the store");
        throw new Error("RPC timeout");
      }
      processed.push(job.id!);
      return { settled: true, claimed: true } as never;
    }, { concurrency: 4 });
    closers.push(() => w.close());
    return w;
  };

  it("lists failures with their reason and kind across QUEUE_PREFIX and every verification node's prefix", async () => {
    const settleQueue = openQueue(fx.ctx, QueueName.settle, { defaultJobOptions: { attempts: 2, backoff: { type: "fixed", delay: 10 }, removeOnFail: false } });
    const nodePrefix = verifierQueuePrefix(fx.ctx.prefix, "0x1234567890abcdef1234567890abcdef12345678");
    const claimQueue = openQueue({ ...fx.ctx, prefix: nodePrefix }, QueueName.claim, { defaultJobOptions: { attempts: 1, removeOnFail: false } });
    closers.push(() => settleQueue.close(), () => claimQueue.close());
    failingWorker(QueueName.settle);
    failingWorker(QueueName.claim, nodePrefix);
    for (const id of [1, 2, 3]) await addJob(settleQueue, settle(id));
    await addJob(claimQueue, claim(4));

    assert.deepEqual(await nodePrefixes(fx.ctx), [nodePrefix]);
    const letters = await until(async () => {
      const l = await listDeadLetters(fx.ctx);
      return l.length === 4 && l;
    }, "4 dead letters");
    const byId = new Map(letters.map((l) => [l.jobId, l]));
    const first = byId.get(jobId(QueueName.settle, 31337, 1n))!;
    assert.equal(first.permanent, true);
    assert.equal(first.attemptsMade, 1);
    assert.equal(first.reason, "permanent: model file missing from the store");
    const second = byId.get(jobId(QueueName.settle, 31337, 2n))!;
    assert.deepEqual([second.permanent, second.attemptsMade, second.reason, second.requestId], [false, 2, "RPC timeout", "2"]);
    const nodeLetter = letters.find((l) => l.queue === QueueName.claim)!;
    assert.equal(nodeLetter.prefix, nodePrefix);
    assert.deepEqual(
      (await listDeadLetters(fx.ctx, [QueueName.settle], 2)).length,
      2,
      "queues and limit narrow the view",
    );
  });

  it("retries given ids with fresh attempts once the cause is fixed; reports ids in other states or unknown", async () => {
    broken = false;
    const ids = [jobId(QueueName.settle, 31337, 1n), jobId(QueueName.settle, 31337, 2n)];
    const result = await retryDeadLetters(fx.ctx, { jobIds: [...ids, "settle-31337-999", "nonsense"] });
    assert.deepEqual(result.retried.map((l) => l.jobId).sort(), [...ids].sort());
    assert.deepEqual(result.notFound, ["settle-31337-999", "nonsense"]);
    await until(async () => ids.every((id) => processed.includes(id)), "the retried jobs to run");
    const settleQueue = openQueue(fx.ctx, QueueName.settle);
    closers.push(() => settleQueue.close());
    for (const id of ids) assert.equal(await (await settleQueue.getJob(id))!.getState(), "completed", id);
    assert.equal((await settleQueue.getJob(ids[1]))!.attemptsMade, 1, "the counter restarted: one attempt since the retry, not 2 + 1");

    const again = await retryDeadLetters(fx.ctx, { jobIds: [ids[0]] });
    assert.deepEqual(again.retried, []);
    assert.deepEqual(again.notFailed, [{ jobId: ids[0], queue: QueueName.settle, prefix: fx.ctx.prefix, state: "completed" }], "a completed job is left alone");
  });

  it("retries every failed job of a queue, verification nodes' included; the CLIs list, retry and have --help", async () => {
    const env = { PATH: process.env.PATH, REDIS_URL: fx.ctx.redisUrl, QUEUE_PREFIX: fx.ctx.prefix };
    const cli = (...args: string[]) => spawnSync(NODE_BIN, ["--import", "tsx", "workers/queues/cli.ts", ...args], { cwd: REPO_ROOT, env, encoding: "utf8" });
    const listed = cli("claim");
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /claim\s+claim-31337-4-abababababababab\s+1\s+retries exhausted/);

    const help = cli("--help");
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: workers:dead-letters/);
    assert.match(help.stdout, /retry \[options\] \[jobIds\.\.\.\]/);
    const bad = cli("retry", "--queue", "nope");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown queue 'nope'; queues are execute, submit/);

    // the one CLI's `twinpath jobs retry` calls the same function
    const twinpath = ["bin/twinpath.mjs", "jobs", "retry", "--redis-url", fx.ctx.redisUrl, "--queue-prefix", fx.ctx.prefix];
    const neither = spawnSync(NODE_BIN, twinpath, { cwd: REPO_ROOT, env, encoding: "utf8" });
    assert.equal(neither.status, 2);
    assert.match(neither.stderr, /give job ids or --queue/);
    const out = JSON.parse(execFileSync(NODE_BIN, [...twinpath, "--queue", "settle", "--queue", "claim", "--json"], { cwd: REPO_ROOT, env, encoding: "utf8" }));
    assert.deepEqual(out.retried.map((l: { jobId: string }) => l.jobId), ["settle-31337-3", "claim-31337-4-abababababababab"]);
    await until(async () => processed.includes("settle-31337-3") && processed.includes("claim-31337-4-abababababababab"), "the retried jobs to run");
    assert.deepEqual(await listDeadLetters(fx.ctx), []);
  });

  it("knows a job id's queue from the id", () => {
    assert.equal(queueOfJobId(jobId(QueueName.execute, 1, 5n)), QueueName.execute);
    assert.equal(queueOfJobId("verify-1-5-0011223344556677"), QueueName.verify);
    assert.equal(queueOfJobId("bogus-1-5"), undefined);
  });
});
