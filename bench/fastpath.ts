/**
 * Fast-path benchmark on the local chain (Hardhat node, automining): latency p50/p95 and sustained throughput
 * with 1, 10 and 100 requests in flight (closed loop: each client sends its next request when its previous
 * result is mined), with and without result batching, side by side; and where the latency goes: inference,
 * chain (result transaction sent -> mined), and queueing/other (listener polling, queues, batching, RPC checks).
 *
 *   node --import tsx bench/fastpath.ts [--levels 1,10,100] [--per-client 3] [--min-requests 20] [--out bench/results/fastpath.json]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { QueueEvents, type Queue } from "bullmq";
import { inferenceHubAbi } from "../protocol/abi/generated.js";
import { createSignerClient } from "../workers/chain/client.js";
import { requestIdsFromReceipt } from "../workers/chain/requestInference.js";
import { TxSender } from "../workers/chain/sender/txSender.js";
import { devKey } from "../devnet/hardhatNode.js";
import { startStack, type Stack } from "../devnet/stack.js";
import { mean, percentile, table } from "../devnet/stats.js";
import { connectionOptions, openQueue } from "../workers/queues/connection.js";
import { jobId, type SubmitJobData, type SubmitJobResult } from "../workers/queues/jobs.js";
import { QueueName } from "../workers/queues/names.js";
import { exampleInputs } from "../models/index.js";
import { quantize } from "../protocol/fixedPoint.js";

const { values } = parseArgs({
  options: {
    levels: { type: "string", default: "1,10,100" },
    "per-client": { type: "string", default: "3" },
    "min-requests": { type: "string", default: "20" },
    out: { type: "string", default: "bench/results/fastpath.json" },
  },
});
const levels = values.levels!.split(",").map(Number);
const perClient = Number(values["per-client"]);
const minRequests = Number(values["min-requests"]);
const MODES = [
  { name: "no batching", maxSize: 1, maxWaitMs: 0 },
  { name: "batching (≤16, 25 ms)", maxSize: 16, maxWaitMs: 25 },
];

interface Sample {
  totalMs: number;
  inferenceMs: number;
  chainMs: number;
  queueMs: number;
  /** the stages of queueMs */
  detectMs: number; // request mined -> listener enqueued
  executeWaitMs: number; // enqueued -> executor picked it
  executeOtherMs: number; // executor: chain reads, model lookup, encode, hand-over (not inference)
  submitWaitMs: number; // handed over -> sender picked it
  sendPrepMs: number; // sender: status checks, batching wait, simulation, estimate
  batchSize: number;
  gasShare: number;
}

/** Resolves each request's delivered submit job, observed through QueueEvents (one subscription for all). */
class ResultTracker {
  private waiters = new Map<string, (r: { job: SubmitJobData; result: SubmitJobResult; processedOn: number }) => void>();
  private events: QueueEvents;
  private queue: Queue<SubmitJobData, SubmitJobResult>;
  constructor(private stack: Stack) {
    this.events = new QueueEvents(QueueName.submit, { connection: connectionOptions(stack.queues), prefix: stack.queues.prefix });
    this.queue = openQueue(stack.queues, QueueName.submit) as Queue<SubmitJobData, SubmitJobResult>;
    this.events.on("completed", ({ jobId: id }) => void this.check(id));
    setInterval(() => this.waiters.forEach((_, id) => void this.check(id)), 1000).unref();
  }
  ready = () => this.events.waitUntilReady();
  private async check(id: string) {
    const resolve = this.waiters.get(id);
    if (!resolve) return;
    const job = await this.queue.getJob(id);
    if (job?.finishedOn && job.returnvalue?.delivered && this.waiters.delete(id)) resolve({ job: job.data, result: job.returnvalue, processedOn: job.processedOn ?? 0 });
  }
  wait(requestId: bigint) {
    const id = jobId(QueueName.submit, this.stack.node.chainId, requestId);
    const p = new Promise<{ job: SubmitJobData; result: SubmitJobResult; processedOn: number }>((resolve) => this.waiters.set(id, resolve));
    void this.check(id);
    return p;
  }
  close = async () => {
    await this.events.close();
    await this.queue.close();
  };
}

async function runLevel(stack: Stack, senders: TxSender[], tracker: ResultTracker, clients: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const total = Math.max(minRequests, clients * perClient);
  const rows = exampleInputs("iris-mlp", total);
  const samples: Sample[] = [];
  let next = 0;
  const started = Date.now();
  const client = async (c: number) => {
    const sender = senders[c % senders.length];
    while (next < total) {
      const input = quantize(rows[next++], stack.model.model.inputScale);
      const sent = await sender.send({
        call: {
          address: stack.deployment.inferenceHub,
          abi: inferenceHubAbi,
          functionName: "requestInference",
          args: [stack.model.modelId, input, { callbackGasLimit: 0, resultCallback: false, resultTimeout: 3600, proofTimeout: 0 }],
        },
        label: "requestInference",
      });
      const [requestId] = requestIdsFromReceipt(sent.receipt, stack.deployment.inferenceHub);
      const { job, result, processedOn } = await tracker.wait(requestId);
      const totalMs = result.minedAt! - sent.minedAt;
      const chainMs = result.minedAt! - result.sentAt!;
      samples.push({
        totalMs,
        inferenceMs: job.inferenceMs,
        chainMs,
        queueMs: totalMs - job.inferenceMs - chainMs,
        detectMs: job.seenAt - sent.minedAt,
        executeWaitMs: job.executeStartedAt - job.seenAt,
        executeOtherMs: job.readyAt - job.executeStartedAt - job.inferenceMs,
        submitWaitMs: processedOn - job.readyAt,
        sendPrepMs: result.sentAt! - processedOn,
        batchSize: result.batchSize ?? 1,
        gasShare: Number(result.gasShare ?? 0),
      });
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return { samples, wallMs: Date.now() - started };
}

const loadBefore = loadavg()[0];
const stack = await startStack({ executorNodes: 2, executorProcesses: 2, startWorkers: false });
const stopAll = async () => stack.stop();
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
try {
  const chain = { rpcUrl: stack.node.url, chainId: stack.node.chainId, pollingIntervalMs: 10 };
  // Several requester keys so the clients, not one key's nonce queue, set the offered load.
  const senders = Array.from({ length: 8 }, (_, i) => new TxSender({ publicClient: stack.client, walletClient: createSignerClient(chain, devKey(10 + i)), pollIntervalMs: 5 }));
  const results: Record<string, unknown>[] = [];
  for (const mode of MODES) {
    stack.options.batch = { maxSize: mode.maxSize, maxWaitMs: mode.maxWaitMs };
    await Promise.all(stack.workers.map((w) => w.stop()));
    stack.workers = [];
    await stack.startWorkers();
    const tracker = new ResultTracker(stack);
    await tracker.ready();
    await runLevel(stack, senders, tracker, 2); // warm-up: sessions, caches, JIT
    for (const clients of levels) {
      const { samples, wallMs } = await runLevel(stack, senders, tracker, clients);
      const total = samples.map((s) => s.totalMs);
      const sum = (k: keyof Sample) => samples.reduce((a, s) => a + s[k], 0);
      const row = {
        mode: mode.name,
        inFlight: clients,
        requests: samples.length,
        p50Ms: percentile(total, 50),
        p95Ms: percentile(total, 95),
        meanMs: mean(total),
        throughputPerSec: samples.length / (wallMs / 1000),
        share: { inference: sum("inferenceMs") / sum("totalMs"), chain: sum("chainMs") / sum("totalMs"), queueing: sum("queueMs") / sum("totalMs") },
        stagesMeanMs: {
          detect: mean(samples.map((s) => s.detectMs)),
          executeWait: mean(samples.map((s) => s.executeWaitMs)),
          inference: mean(samples.map((s) => s.inferenceMs)),
          executeOther: mean(samples.map((s) => s.executeOtherMs)),
          submitWait: mean(samples.map((s) => s.submitWaitMs)),
          sendPrep: mean(samples.map((s) => s.sendPrepMs)),
          chain: mean(samples.map((s) => s.chainMs)),
        },
        meanBatchSize: mean(samples.map((s) => s.batchSize)),
        resultGasPerRequest: mean(samples.map((s) => s.gasShare)),
      };
      results.push(row);
      console.log(`${mode.name}, ${clients} in flight: p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms, ${row.throughputPerSec.toFixed(1)} results/s`);
    }
    await tracker.close();
  }
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log("");
  console.log(
    table(
      ["mode", "in flight", "requests", "p50 ms", "p95 ms", "results/s", "inference", "queueing", "chain", "batch", "result gas/req"],
      results.map((r: any) => [r.mode, r.inFlight, r.requests, r.p50Ms, r.p95Ms, r.throughputPerSec, pct(r.share.inference), pct(r.share.queueing), pct(r.share.chain), r.meanBatchSize, r.resultGasPerRequest]),
    ),
  );
  console.log("\nmean ms per stage (queueing = detect + execute wait + executor other + submit wait + send prep)");
  console.log(
    table(
      ["mode", "in flight", "detect", "exec wait", "inference", "exec other", "submit wait", "send prep", "chain"],
      results.map((r: any) => [r.mode, r.inFlight, ...["detect", "executeWait", "inference", "executeOther", "submitWait", "sendPrep", "chain"].map((k) => r.stagesMeanMs[k])]),
    ),
  );
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(
    values.out!,
    JSON.stringify(
      {
        bench: "fastpath",
        date: new Date().toISOString(),
        machine: "2-core VM shared with other jobs; Hardhat node automining (one block per transaction)",
        loadAverage1m: { before: loadBefore, after: loadavg()[0] },
        setup: { model: "iris-mlp", executorProcesses: 2, executorKeys: 2, requesterKeys: senders.length, listenerPollMs: 50 },
        definitions: {
          latency: "request transaction mined (receipt seen by the client) -> result transaction mined (receipt seen by the sender), wall clock",
          inference: "onnxruntime session.run",
          chain: "result transaction handed to the node (eth_sendRawTransaction; the automining node mines inside that call) -> its receipt",
          queueing: "everything else: listener polling and getLogs, queue hops, batching wait, on-chain status checks and simulation",
        },
        rows: results,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${values.out}`);
} finally {
  await stopAll();
}
process.exit(0);
