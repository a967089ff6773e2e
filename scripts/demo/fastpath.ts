/**
 * The fast-path demo as a function (scripts/demo.ts is its command line): a local stack, the example consumer
 * contract, a batch of requests, and per-request figures. Rows and summary leave room for the proof path's
 * columns (proof time, settlement) — `proofMs`/`settledMs` stay null until that path fills them.
 */
import { existsSync } from "node:fs";
import { encodeFunctionData, type Abi, type Address } from "viem";
import { artifactPath, readArtifact } from "../../protocol/abi/sources.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { exampleConsumerPayment, startStack, type SentRequest, type Stack } from "../../devnet/stack.js";
import { mean, percentile } from "../../devnet/stats.js";
import { exampleInputs } from "../../models/index.js";
import { quantize } from "../../protocol/fixedPoint.js";

export interface FastPathDemoOptions {
  requests: number;
  concurrency: number;
  executorProcesses: number;
  batch: { maxSize: number; maxWaitMs: number };
  log: (line: string) => void;
  echo?: boolean;
  timeoutMs?: number;
}

export interface DemoRow {
  requestId: string;
  via: "consumer" | "eoa";
  class: number;
  output: string[];
  requestBlock: number;
  resultBlock: number | null;
  /** request mined -> result mined, wall clock */
  fastPathMs: number | null;
  /** stage split of fastPathMs */
  queueMs: number | null;
  inferenceMs: number | null;
  chainMs: number | null;
  batchSize: number | null;
  requestGas: number;
  resultGasShare: number | null;
  /** proof path columns: null until the proof path fills them */
  proofMs: number | null;
  settledMs: number | null;
}

export interface DemoSummary {
  requests: number;
  delivered: number;
  fastPathMs: { p50: number | null; p95: number | null; max: number | null; mean: number | null };
  throughputPerSec: number;
  wallMs: number;
  gas: { requestMean: number | null; resultPerRequestMean: number | null; resultTransactions: number };
  proofMs: { p50: number | null; p95: number | null };
  settledMs: { p50: number | null; p95: number | null };
}

const CONSUMER = ["contracts/examples/IrisClassifierConsumer.sol", "IrisClassifierConsumer"] as const;

export async function runFastPathDemo(o: FastPathDemoOptions, onStack?: (s: Stack) => void): Promise<{ rows: DemoRow[]; summary: DemoSummary; stack: Stack }> {
  o.log("starting a local Hardhat node, Redis, deploying with Ignition, registering iris-mlp and 2 executor nodes…");
  const t0 = Date.now();
  const stack = await startStack({ executorNodes: 2, executorProcesses: o.executorProcesses, batch: o.batch, echo: o.echo });
  onStack?.(stack);
  o.log(`  chain ${stack.node.url}  redis ${stack.redis.url}${stack.redis.local ? " (started for this run)" : ""}`);
  o.log(`  hub ${stack.deployment.inferenceHub}  model #${stack.model.modelId} onnx ${stack.model.onnxHash.slice(0, 10)}…`);
  o.log(`  workers: listener, ${o.executorProcesses} executor(s), sender (2 keys, batch ≤${o.batch.maxSize} / ${o.batch.maxWaitMs} ms)  [${((Date.now() - t0) / 1000).toFixed(1)} s]`);

  // The example consumer contract when it is compiled; an EOA otherwise.
  let consumer: { address: Address; abi: Abi } | undefined;
  if (existsSync(artifactPath(...CONSUMER))) {
    const { abi, bytecode } = readArtifact(...CONSUMER);
    const deployer = createSignerClient({ rpcUrl: stack.node.url, chainId: stack.node.chainId }, devKey(0));
    const hash = await deployer.deployContract({ abi: abi as Abi, bytecode, args: [stack.deployment.inferenceHub, stack.model.modelId] });
    const address = (await stack.client.waitForTransactionReceipt({ hash })).contractAddress!;
    consumer = { address, abi: abi as Abi };
    o.log(`  consumer: IrisClassifierConsumer at ${address}`);
  } else {
    o.log("  consumer: contracts/examples/IrisClassifierConsumer.sol not compiled; requesting from an EOA");
  }

  // classify pays the hub's quote for the consumer's options (price + callback budget)
  const value = consumer ? await exampleConsumerPayment(stack.client, stack.deployment.inferenceHub, stack.model.modelId, consumer) : 0n;
  const requestOne = async (row: number[]) => {
    if (!consumer) return stack.requestOne(row);
    const features = quantize(row, stack.model.model.inputScale);
    encodeFunctionData({ abi: consumer.abi, functionName: "classify", args: [features] }); // fail early on ABI drift
    return stack.requestCall({ address: consumer.address, abi: consumer.abi, functionName: "classify" as never, args: [features] as never, value }, "classify");
  };

  // One warm-up request (first model load, first transaction of each process); not counted.
  const warm = await requestOne(exampleInputs("iris-mlp", 1)[0]);
  await stack.waitForResults([warm.requestId], o.timeoutMs ?? 120_000);
  o.log("  warm-up request delivered (model loaded); measuring…");

  const rows = exampleInputs("iris-mlp", o.requests);
  o.log(`sending ${o.requests} requests, ${o.concurrency} at a time…`);
  const started = Date.now();
  const sent: SentRequest[] = [];
  let next = 0;
  const client = async () => {
    while (next < rows.length) sent.push(await requestOne(rows[next++]));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, rows.length)) }, client));

  const results = await stack.waitForResults(
    sent.map((s) => s.requestId),
    o.timeoutMs ?? 120_000,
    (done, total) => {
      if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0) o.log(`  results ${done}/${total}`);
    },
  );
  const wallMs = Date.now() - started;

  const table: DemoRow[] = sent
    .sort((a, b) => (a.requestId < b.requestId ? -1 : 1))
    .map((s) => {
      const r = results.get(s.requestId);
      const j = r?.job;
      const res = r?.result;
      const output = j?.output ?? [];
      const fastPathMs = res?.minedAt ? res.minedAt - s.minedAt : null;
      return {
        requestId: s.requestId.toString(),
        via: consumer ? "consumer" : "eoa",
        class: output.length ? output.map(BigInt).reduce((best, v, i, all) => (v > all[best] ? i : best), 0) : -1,
        output,
        requestBlock: Number(s.blockNumber),
        resultBlock: res?.blockNumber ?? null,
        fastPathMs,
        queueMs: j ? j.executeStartedAt - s.minedAt + (j.readyAt - j.executeStartedAt - j.inferenceMs) + ((res?.sentAt ?? j.readyAt) - j.readyAt) : null,
        inferenceMs: j ? j.inferenceMs : null,
        chainMs: res?.minedAt && res.sentAt ? res.minedAt - res.sentAt : null,
        batchSize: res?.batchSize ?? null,
        requestGas: Number(s.gasUsed),
        resultGasShare: res?.gasShare ? Number(res.gasShare) : null,
        proofMs: null,
        settledMs: null,
      };
    });
  const lat = table.map((r) => r.fastPathMs).filter((x): x is number => x !== null);
  const txs = new Set([...results.values()].map((r) => r.result.txHash));
  const summary: DemoSummary = {
    requests: sent.length,
    delivered: results.size,
    fastPathMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat.length ? Math.max(...lat) : null, mean: mean(lat) },
    throughputPerSec: results.size / (wallMs / 1000),
    wallMs,
    gas: {
      requestMean: mean(table.map((r) => r.requestGas)),
      resultPerRequestMean: mean(table.map((r) => r.resultGasShare).filter((x): x is number => x !== null)),
      resultTransactions: txs.size,
    },
    proofMs: { p50: null, p95: null },
    settledMs: { p50: null, p95: null },
  };
  return { rows: table, summary, stack };
}
