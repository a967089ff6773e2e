/**
 * Fast-path benchmark against a loopback `hardhat node` (automining), three configurations side by side in one run:
 *
 *   - "unbatched": today's per-request configuration: requesters send one request per transaction
 *     (requestInference), the sender sends one result per transaction (SENDER_BATCH_MAX_SIZE=1);
 *   - "batched": requesters send many requests per transaction (requestInferences), the sender batches results
 *     (bounded by the block gas limit) with several batches in flight per key;
 *   - "batch-version": as "batched", the requests to the model's batch-N version (`--batch-version`, default 16;
 *     ZKML_ONCHAIN with its own verifier, bench/lib/batchVersion.ts), whose executor answers up to N requests with
 *     one witness of a larger circuit.
 * Every configuration runs its executors at `--executor-concurrency` (default 32) jobs each.
 *
 * For each: results/s sustained (an open loop that keeps `--in-flight` requests outstanding for `--duration`
 * seconds after a warm-up; results counted by the time their transaction was mined), latency p50/p95 under that
 * load, and the p50 request-mined -> result-mined at 1 request in flight (with where that time goes).
 *
 * And the CPU each process spent per delivered result in that window (/proc), which says what limits throughput
 * on this machine whatever else runs on it, and what two idle cores would allow.
 *
 *   node --import tsx bench/fastpath.ts [--duration 20] [--requesters 4] [--request-batch 50] [--in-flight 400]
 *        [--unbatched-in-flight 100] [--latency-requests 20] [--sender-batch 100] [--sender-wait 0]
 *        [--sender-in-flight 1] [--batch-version 16] [--executor-concurrency 32]
 *        [--configs unbatched,batched,batch-version]
 *        [--out bench/results/fastpath.json]
 *   TWINPATH_BENCH_PROFILE=<dir> also writes each worker's V8 CPU profile there.
 *
 * The batched sender keeps one batch per key in flight by default: the automining node mines each transaction as it
 * arrives, so a second batch on its way would only halve the batches (SENDER_MAX_IN_FLIGHT pays on chains with a
 * block time).
 */
import { execSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { QueueEvents, type Queue } from "bullmq";
import { inferenceHubAbi } from "../protocol/abi/generated.js";
import { createSignerClient } from "../workers/chain/client.js";
import { quotePayment, requestIdsFromReceipt } from "../workers/chain/requestInference.js";
import { TxSender, type ContractCall } from "../workers/chain/sender/txSender.js";
import { devKey } from "../devnet/hardhatNode.js";
import { startStack, type Stack } from "../devnet/stack.js";
import type { RegisteredModel } from "../devnet/model.js";
import { registerBatchVersion } from "./lib/batchVersion.js";
import { mean, percentile, table } from "../devnet/stats.js";
import { connectionOptions, openQueue } from "../workers/queues/connection.js";
import { jobId, type SubmitJobData, type SubmitJobResult } from "../workers/queues/jobs.js";
import { QueueName } from "../workers/queues/names.js";
import { exampleInputs } from "../models/index.js";
import { quantize } from "../protocol/fixedPoint.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    warmup: { type: "string", default: "4" },
    requesters: { type: "string", default: "4" },
    "request-batch": { type: "string", default: "50" },
    "in-flight": { type: "string", default: "400" },
    "unbatched-in-flight": { type: "string", default: "100" },
    "latency-requests": { type: "string", default: "20" },
    configs: { type: "string", default: "unbatched,batched,batch-version" },
    "batch-version": { type: "string", default: "16" },
    "executor-concurrency": { type: "string", default: "32" },
    "sender-wait": { type: "string", default: "0" },
    "sender-in-flight": { type: "string", default: "1" },
    "sender-batch": { type: "string", default: "100" },
    out: { type: "string", default: "bench/results/fastpath.json" },
  },
});
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const requesterCount = Number(values.requesters);
const latencyRequests = Number(values["latency-requests"]);

interface Config {
  name: string;
  /** requests go to the model's batch-N version (ZKML_ONCHAIN, bench/lib/batchVersion.ts) instead of batch 1 */
  batchVersion?: number;
  /** requests per request transaction (1: requestInference) */
  requestBatch: number;
  inFlight: number;
  sender: Record<string, string>;
}
const CONFIGS: Config[] = [
  {
    name: "unbatched",
    requestBatch: 1,
    inFlight: Number(values["unbatched-in-flight"]),
    sender: { SENDER_BATCH_MAX_SIZE: "1", SENDER_BATCH_MAX_WAIT_MS: "0", SENDER_MAX_IN_FLIGHT: "1" },
  },
  {
    name: "batched",
    requestBatch: Number(values["request-batch"]),
    inFlight: Number(values["in-flight"]),
    sender: { SENDER_BATCH_MAX_SIZE: values["sender-batch"]!, SENDER_BATCH_MAX_WAIT_MS: values["sender-wait"]!, SENDER_MAX_IN_FLIGHT: values["sender-in-flight"]! },
  },
  {
    name: "batch-version",
    batchVersion: Number(values["batch-version"]),
    requestBatch: Number(values["request-batch"]),
    inFlight: Number(values["in-flight"]),
    sender: { SENDER_BATCH_MAX_SIZE: values["sender-batch"]!, SENDER_BATCH_MAX_WAIT_MS: values["sender-wait"]!, SENDER_MAX_IN_FLIGHT: values["sender-in-flight"]! },
  },
].filter((c) => values.configs!.split(",").includes(c.name));

interface Delivered {
  requestMinedAt: number;
  job: SubmitJobData;
  result: SubmitJobResult;
  processedOn: number;
}

/** Counts delivered submit jobs as they complete (QueueEvents) and reads them back by id. */
class SubmitJobs {
  readonly queue: Queue<SubmitJobData, SubmitJobResult>;
  private events: QueueEvents;
  completed = 0;
  private waiters = new Map<string, () => void>();
  constructor(private stack: Stack) {
    this.events = new QueueEvents(QueueName.submit, { connection: connectionOptions(stack.queues), prefix: stack.queues.prefix });
    this.queue = openQueue(stack.queues, QueueName.submit) as Queue<SubmitJobData, SubmitJobResult>;
    this.events.on("completed", ({ jobId: id }) => {
      this.completed++;
      const w = this.waiters.get(id);
      if (w && this.waiters.delete(id)) w();
    });
  }
  ready = () => this.events.waitUntilReady();
  id = (requestId: bigint) => jobId(QueueName.submit, this.stack.node.chainId, requestId);
  /** Resolves once the request's submit job has completed with a delivered result. */
  async wait(requestId: bigint, timeoutMs = 60_000): Promise<void> {
    const id = this.id(requestId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = new Promise<void>((r) => {
        this.waiters.set(id, r);
        setTimeout(r, 250).unref();
      });
      const job = await this.queue.getJob(id);
      if (job?.finishedOn && job.returnvalue?.delivered) return;
      if (Date.now() > deadline) throw new Error(`no delivered result for request ${requestId} after ${timeoutMs} ms`);
      await seen;
    }
  }
  async read(requestId: bigint): Promise<{ job: SubmitJobData; result: SubmitJobResult; processedOn: number } | null> {
    const job = await this.queue.getJob(this.id(requestId));
    return job?.finishedOn && job.returnvalue?.delivered ? { job: job.data, result: job.returnvalue, processedOn: job.processedOn ?? 0 } : null;
  }
  close = async () => {
    await this.events.close();
    await this.queue.close();
  };
}

/** Stage means of delivered results (ms): where request-mined -> result-mined goes. */
function stages(samples: Delivered[]) {
  const m = (f: (d: Delivered) => number) => mean(samples.map(f));
  return {
    detect: m((d) => d.job.seenAt - d.requestMinedAt),
    executeWait: m((d) => d.job.executeStartedAt - d.job.seenAt),
    inference: m((d) => d.job.inferenceMs),
    executeOther: m((d) => d.job.readyAt - d.job.executeStartedAt - d.job.inferenceMs),
    submitWait: m((d) => d.processedOn - d.job.readyAt),
    sendPrep: m((d) => d.result.sentAt! - d.processedOn),
    chain: m((d) => d.result.minedAt! - d.result.sentAt!),
  };
}
const latencyOf = (d: Delivered) => d.result.minedAt! - d.requestMinedAt;

/** The stack's processes by role (hardhat node, redis, each worker) and this process (the requesters). */
function processes(stack: Stack): Record<string, number[]> {
  const out: Record<string, number[]> = { "hardhat node": [stack.node.child.pid!], bench: [process.pid] };
  const port = stack.redis.local?.port;
  if (port !== undefined) {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        // redis-server rewrites its title to "redis-server 127.0.0.1:<port>"
        if (cmd[0].includes("redis-server") && cmd.join(" ").includes(String(port))) out.redis = [Number(pid)];
      } catch {}
    }
  }
  for (const w of stack.workers) (out[w.role] ??= []).push(w.child.pid!);
  return out;
}

/** CPU ms (user + system) used so far by each role's processes (Linux /proc; 100 ticks per second). */
function cpuMs(procs: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [role, pids] of Object.entries(procs)) {
    out[role] = pids.reduce((sum, pid) => {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        return sum + (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return sum;
      }
    }, 0);
  }
  return out;
}

interface Requester {
  sender: TxSender;
  send: (rows: number[][]) => Promise<{ requestIds: bigint[]; minedAt: number }>;
}

function requesters(stack: Stack, model: RegisteredModel, fee: bigint, options: { callbackGasLimit: number; resultCallback: boolean; resultTimeout: number; proofTimeout: number }): Requester[] {
  const chain = { rpcUrl: stack.node.url, chainId: stack.node.chainId, pollingIntervalMs: 10 };
  const hub = stack.deployment.inferenceHub;
  const modelId = model.modelId;
  return Array.from({ length: requesterCount }, (_, i) => {
    const sender = new TxSender({ publicClient: stack.client, walletClient: createSignerClient(chain, devKey(10 + i)), pollIntervalMs: 5 });
    // One gas estimate per batch size, reused: the requesters share the node (and its two cores) with the pipeline
    // they load, so they do not simulate every request transaction again.
    const gasFor = new Map<number, bigint>();
    const send = async (rows: number[][]) => {
      const inputs = rows.map((r) => quantize(r, model.model.inputScale));
      const call: ContractCall =
        inputs.length === 1
          ? { address: hub, abi: inferenceHubAbi, functionName: "requestInference", args: [modelId, inputs[0], options], value: fee }
          : {
              address: hub,
              abi: inferenceHubAbi,
              functionName: "requestInferences",
              args: [inputs.map(() => modelId), inputs, inputs.map(() => options), inputs.map(() => fee)],
              value: fee * BigInt(inputs.length),
            };
      const label = inputs.length === 1 ? "requestInference" : "requestInferences";
      if (!gasFor.has(inputs.length)) gasFor.set(inputs.length, await sender.estimate(call, label));
      const sent = await sender.send({ call, label, gas: gasFor.get(inputs.length) });
      return { requestIds: requestIdsFromReceipt(sent.receipt, hub), minedAt: sent.minedAt };
    };
    return { sender, send };
  });
}

/**
 * Open loop: each requester keeps sending request transactions while fewer than `inFlight` requests are
 * outstanding (sent, result not yet delivered), for warm-up + duration. Returns every request with the time its
 * transaction was mined.
 */
async function sustained(
  jobs: SubmitJobs,
  reqs: Requester[],
  cfg: Config,
  procs: Record<string, number[]>,
): Promise<{ sent: Map<bigint, number>; windowStart: number; windowEnd: number; cpu: Record<string, number> }> {
  const rows = exampleInputs("iris-mlp", 150);
  const sent = new Map<bigint, number>();
  let requested = 0;
  const completedAtStart = jobs.completed;
  const start = Date.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + durationMs;
  let cpuStart: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  setTimeout(() => (cpuStart = cpuMs(procs)), warmupMs);
  setTimeout(() => {
    const end = cpuMs(procs);
    for (const role of Object.keys(end)) cpu[role] = end[role] - (cpuStart[role] ?? 0);
  }, warmupMs + durationMs);
  const loop = async (r: Requester) => {
    while (Date.now() < windowEnd) {
      if (requested - (jobs.completed - completedAtStart) + cfg.requestBatch > cfg.inFlight) {
        await new Promise((res) => setTimeout(res, 5));
        continue;
      }
      requested += cfg.requestBatch;
      const batch = Array.from({ length: cfg.requestBatch }, (_, k) => rows[(requested + k) % rows.length]);
      const { requestIds, minedAt } = await r.send(batch);
      for (const id of requestIds) sent.set(id, minedAt);
    }
  };
  await Promise.all(reqs.map(loop));
  await new Promise((r) => setTimeout(r, Math.max(0, windowEnd - Date.now() + 50)));
  return { sent, windowStart, windowEnd, cpu };
}

async function readDelivered(jobs: SubmitJobs, sent: Map<bigint, number>): Promise<Delivered[]> {
  const out: Delivered[] = [];
  const ids = [...sent.keys()];
  for (let i = 0; i < ids.length; i += 200) {
    const got = await Promise.all(ids.slice(i, i + 200).map((id) => jobs.read(id)));
    got.forEach((g, k) => g && out.push({ ...g, requestMinedAt: sent.get(ids[i + k])! }));
  }
  return out;
}

const loadBefore = loadavg();
const stack = await startStack({ executorNodes: 2, executorProcesses: 2, startWorkers: false });
let stopping = false;
const stopAll = async () => {
  if (!stopping) {
    stopping = true;
    await stack.stop();
  }
};
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
try {
  const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 3600, proofTimeout: 0 };
  const rows: Record<string, unknown>[] = [];
  for (const cfg of CONFIGS) {
    const model = cfg.batchVersion ? await registerBatchVersion(stack, "iris-mlp", cfg.batchVersion, (m) => console.log(m)) : stack.model;
    const fee = await quotePayment(stack.client, stack.deployment.inferenceHub, model.modelId, options);
    const reqs = requesters(stack, model, fee, options);
    // TWINPATH_BENCH_PROFILE=<dir>: each worker writes a V8 CPU profile there when it stops (where the CPU goes).
    const prof = process.env.TWINPATH_BENCH_PROFILE;
    const profEnv: Record<string, string> = prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof}/${cfg.name}` } : {};
    // The listener polls every 20 ms (the stack's default is 50): on a local chain, detection is most of the latency.
    // Every configuration's executors hold the same number of jobs at once (a batch-N version needs at least N for a
    // witness to fill its slots), so the configurations differ only in batching.
    const executorEnv: Record<string, string> = { EXECUTOR_CONCURRENCY: values["executor-concurrency"]! };
    stack.options.env = { sender: { ...cfg.sender, ...profEnv }, executor: { ...executorEnv, ...profEnv }, listener: { LISTENER_POLL_INTERVAL_MS: "20", ...profEnv } };
    await Promise.all(stack.workers.map((w) => w.stop()));
    stack.workers = [];
    await stack.startWorkers();
    const jobs = new SubmitJobs(stack);
    await jobs.ready();

    // 1 in flight: one request at a time, each sent when the previous result is mined (the first ones warm up).
    const one: Delivered[] = [];
    const single = exampleInputs("iris-mlp", latencyRequests + 3);
    for (let i = 0; i < single.length; i++) {
      const { requestIds, minedAt } = await reqs[0].send([single[i]]);
      await jobs.wait(requestIds[0]);
      const d = await jobs.read(requestIds[0]);
      if (d && i >= 3) one.push({ ...d, requestMinedAt: minedAt });
    }

    // Sustained load.
    const load1mBefore = loadavg()[0];
    const { sent, windowStart, windowEnd, cpu } = await sustained(jobs, reqs, cfg, processes(stack));
    const load1mAfter = loadavg()[0];
    // Let the last requests finish (their results count only if mined inside the window).
    await new Promise((r) => setTimeout(r, 3000));
    const delivered = await readDelivered(jobs, sent);
    const inWindow = delivered.filter((d) => d.result.minedAt! >= windowStart && d.result.minedAt! < windowEnd);
    const resultTxs = new Set(inWindow.map((d) => d.result.txHash));
    const latency = inWindow.map(latencyOf);
    // CPU per delivered result, by role: what the pipeline costs, whatever else the machine runs.
    const cpuMsPerResult = Object.fromEntries(Object.entries(cpu).map(([role, ms]) => [role, ms / Math.max(1, inWindow.length)]));
    // The pipeline: everything but this process (the requesters, a load generator; their transactions' execution
    // is the node's and counts).
    const cpuTotal = Object.entries(cpuMsPerResult).reduce((a, [role, ms]) => a + (role === "bench" ? 0 : ms), 0);
    const [busiestRole, busiestMs] = Object.entries(cpuMsPerResult).filter(([role]) => role !== "bench").sort((a, b) => b[1] - a[1])[0];
    const busiestPerProcess = busiestMs / (processes(stack)[busiestRole]?.length ?? 1);
    const row = {
      config: cfg.name,
      modelVersion: cfg.batchVersion ? `iris-mlp batch ${cfg.batchVersion} (ZKML_ONCHAIN)` : "iris-mlp batch 1 (ZKML_ATTESTED)",
      requestsPerRequestTx: cfg.requestBatch,
      offeredInFlight: cfg.inFlight,
      sender: cfg.sender,
      sustained: {
        windowSeconds: durationMs / 1000,
        requestsSent: sent.size,
        resultsInWindow: inWindow.length,
        resultsPerSec: inWindow.length / (durationMs / 1000),
        resultTxsPerSec: resultTxs.size / (durationMs / 1000),
        meanResultsPerTx: inWindow.length / Math.max(1, resultTxs.size),
        p50Ms: percentile(latency, 50),
        p95Ms: percentile(latency, 95),
        resultGasPerRequest: mean(inWindow.map((d) => Number(d.result.gasShare ?? 0))),
        stagesMeanMs: stages(inWindow),
        loadAverage1m: { before: load1mBefore, after: load1mAfter },
        cpuMsPerResult,
        /** all processes but the requesters' (bench) */
        cpuMsPerResultPipeline: cpuTotal,
        cpuShareOfWindow: Object.values(cpu).reduce((a, b) => a + b, 0) / durationMs,
        /** results/s if the pipeline (node, Redis, workers) had both cores to itself (CPU-bound) */
        projectedIdleTwoCoresPerSec: 2000 / cpuTotal,
        /** results/s the busiest role's single process allows (one core at most) */
        busiestProcess: { role: busiestRole, cpuMsPerResult: busiestPerProcess, capPerSec: 1000 / busiestPerProcess },
      },
      oneInFlight: {
        requests: one.length,
        p50Ms: percentile(one.map(latencyOf), 50),
        p95Ms: percentile(one.map(latencyOf), 95),
        stagesMeanMs: stages(one),
      },
    };
    rows.push(row);
    console.log(
      `${cfg.name}: ${row.sustained.resultsPerSec.toFixed(1)} results/s sustained (p50 ${row.sustained.p50Ms} ms, p95 ${row.sustained.p95Ms} ms, ${row.sustained.meanResultsPerTx.toFixed(1)} results/tx); 1 in flight p50 ${row.oneInFlight.p50Ms} ms`,
    );
    await jobs.close();
  }

  const r = rows as any[];
  // each batched configuration against the unbatched one of this run
  const base = r.find((x) => x.config === "unbatched");
  const ratios = Object.fromEntries(r.filter((x) => x !== base && base).map((x) => [x.config, x.sustained.resultsPerSec / base.sustained.resultsPerSec]));
  console.log("");
  console.log(
    table(
      ["config", "req/tx", "in flight", "results/s", "results/tx", "p50 ms", "p95 ms", "gas/result", "1-in-flight p50 ms", "p95 ms"],
      r.map((x) => [x.config, x.requestsPerRequestTx, x.offeredInFlight, x.sustained.resultsPerSec, x.sustained.meanResultsPerTx, x.sustained.p50Ms, x.sustained.p95Ms, x.sustained.resultGasPerRequest, x.oneInFlight.p50Ms, x.oneInFlight.p95Ms]),
    ),
  );
  for (const [name, q] of Object.entries(ratios)) console.log(`${name} / unbatched sustained results/s: ${(q as number).toFixed(1)}x`);
  const roles = [...new Set(r.flatMap((x) => Object.keys(x.sustained.cpuMsPerResult)))];
  console.log("\nCPU ms per delivered result during the sustained window, by process (the machine's other load excluded; pipeline = all but bench, the requesters)");
  console.log(
    table(
      ["config", ...roles, "pipeline", "cores used", "2 idle cores: results/s"],
      r.map((x) => [x.config, ...roles.map((k) => x.sustained.cpuMsPerResult[k]), x.sustained.cpuMsPerResultPipeline, x.sustained.cpuShareOfWindow, x.sustained.projectedIdleTwoCoresPerSec]),
    ),
  );
  for (const x of r) {
    const b = x.sustained.busiestProcess;
    console.log(`${x.config}: busiest process ${b.role} ${b.cpuMsPerResult.toFixed(2)} CPU ms per result -> at most ${b.capPerSec.toFixed(0)} results/s on one core`);
  }
  const stageKeys = ["detect", "executeWait", "inference", "executeOther", "submitWait", "sendPrep", "chain"];
  console.log("\nmean ms per stage (request mined -> detect -> execute wait -> inference + other -> submit wait -> send prep -> chain)");
  console.log(
    table(
      ["config", "load", ...stageKeys],
      r.flatMap((x) => [
        [x.config, "sustained", ...stageKeys.map((k) => x.sustained.stagesMeanMs[k])],
        [x.config, "1 in flight", ...stageKeys.map((k) => x.oneInFlight.stagesMeanMs[k])],
      ]),
    ),
  );
  const loadAfter = loadavg();
  console.log(`\nload average (1, 5, 15 min): before ${loadBefore.map((l) => l.toFixed(2)).join(", ")}; after ${loadAfter.map((l) => l.toFixed(2)).join(", ")} (2 cores, shared)`);
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {}
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(
    values.out!,
    JSON.stringify(
      {
        bench: "fastpath",
        date: new Date().toISOString(),
        commit,
        machine: "2-core VM shared with other engineers' jobs; hardhat node on loopback, automining (one block per transaction)",
        loadAverage: { before: loadBefore, after: loadAfter },
        setup: { model: "iris-mlp", executorProcesses: 2, executorConcurrency: Number(values["executor-concurrency"]), executorKeys: 2, requesterKeys: requesterCount, warmupSeconds: warmupMs / 1000, listenerPollMs: 20 },
        definitions: {
          latency: "request transaction mined (receipt seen by the requester) -> result transaction mined (receipt seen by the sender), wall clock",
          sustained: "results whose transaction was mined inside the measurement window, per second, while requesters keep `offeredInFlight` requests outstanding",
          stages:
            "detect: request mined -> listener enqueued; executeWait: -> executor picked it; executeOther: chain reads, model, encode, hand-over; submitWait: -> sender picked it; sendPrep: batching wait, simulation, gas estimate, nonce lock; chain: raw transaction sent -> receipt",
        },
        ratiosToUnbatched: ratios,
        rows,
      },
      null,
      2,
    ),
  );
  console.log(`wrote ${values.out}`);
} finally {
  await stopAll();
}
process.exit(0);
