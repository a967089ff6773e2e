/**
 * Twinpath on one machine, both paths: a local Hardhat node, Redis, the protocol deployed with Ignition, the demo
 * model registered from its EZKL bundle, the fast path (listener, executor, sender), the proof path (prover and,
 * in ZKML_ATTESTED mode, three verification nodes; in ZKML_ONCHAIN and OPTIMISTIC mode the model's on-chain Halo2
 * verifier from halo2/solidity), and a batch of requests. Prints each request's fast-path latency, time to
 * settlement, end state, answer and gas by step.
 *
 * By default requests and every step after them go in batches (--batch-size, --batch-wait-ms); --per-request sends
 * one transaction per request and step (the path before batching); --compare runs both, one after the other, each
 * on a fresh stack, and prints them side by side.
 * Its command line: scripts/demo/cli.ts.
 */
import { cpus, loadavg } from "node:os";
import type { Abi, Address } from "viem";
import { readArtifact } from "../../protocol/abi/sources.js";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { exampleConsumerPayment } from "../../devnet/stack.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { followRequests, outcomes, percentile, STEPS, type RequestOutcome, type StatusChange, type Step, type StepTotals, type TrackedRequest } from "./track.js";
import { quantize } from "../../protocol/fixedPoint.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";

export const MODES = { attested: "ZKML_ATTESTED", optimistic: "OPTIMISTIC", onchain: "ZKML_ONCHAIN" } as const;

/** What each status a request reaches means, as the live progress says it. */
const STEP_NAMES: Partial<Record<number, string>> = {
  [RequestStatus.Executed]: "result on chain (fast path)",
  [RequestStatus.ProofSubmitted]: "proof submitted",
  [RequestStatus.Settled]: "settled",
  [RequestStatus.Refunded]: "refunded",
};

/** batched: many requests per request transaction and batching workers; per-request: one transaction per item. */
export const DEMO_PATHS = ["batched", "per-request"] as const;
export type DemoPath = (typeof DEMO_PATHS)[number];

/** The batched path's defaults: a batch of 16 (the workers' own default), votes waiting up to a second for company. */
export const DEMO_BATCH = { size: 16, waitMs: 1000 } as const;

export interface ProofPathDemoOptions {
  mode: keyof typeof MODES;
  requests: number;
  model: string;
  proverThreads: number;
  /** PROVER_BACKEND of the prover: the embedded WASM engine (default) or native EZKL (needs the Python package) */
  proverBackend?: "wasm" | "native";
  verifiers: number;
  /** OPTIMISTIC challenge window, seconds */
  challengeWindow: number;
  /**
   * batched: requests go `batchSize` to a transaction (the consumer's classifyBatch, or the hub's requestInferences),
   * the sender batches results (submitResults), each verification node signs one Merkle root per batch of verdicts
   * and settles with settleMany. per-request: one transaction per request for each step (classify or
   * requestInference, submitResult, one signed vote per transaction, settle), the path before batching.
   * @defaultValue "batched"
   */
  path?: DemoPath;
  /** Requests per request transaction, and items per result, vote and settle transaction at most (batched path).
   * @defaultValue DEMO_BATCH.size */
  batchSize?: number;
  /** How long a verification node's first verdict (and first settlement) waits for others, ms (batched path).
   * @defaultValue DEMO_BATCH.waitMs */
  batchWaitMs?: number;
  /** Requests per proof (batched path, ZKML_ATTESTED or ZKML_ONCHAIN): above 1, the model's batch-N version
   * (models/batchBundle.ts, built on first use and cached) is the one registered, and the prover proves up to N
   * requests at once (commitBatchProof / submitBatchProof). @defaultValue 1 */
  proofBatch?: number;
  log: (line: string) => void;
  echo?: boolean;
}

export interface ProofPathDemoResult {
  mode: string;
  path: DemoPath;
  model: string;
  requests: number;
  settled: number;
  batchSize: number;
  batchWaitMs: number | null;
  /** requests per proof (the registered version's batch) */
  proofBatch: number;
  fastPathMs: { p50: number | null; p95: number | null };
  /** request mined -> RequestSettled seen, wall clock */
  settlementMs: { p50: number | null; p95: number | null; max: number | null };
  gasPerSettledRequest: { mean: number | null; byStep: Record<"request" | Step, number> };
  /** the transactions behind each step (request transactions: the ones the demo sent) */
  transactions: Record<"request" | Step, StepTotals>;
  /** first request sent -> last request settled or refunded, ms */
  wallMs: number;
  /** what else the machine was doing: its cores and load average (1 min) when the run started and ended */
  machine: { cpus: number; load1: { start: number; end: number } };
  perRequest: RequestOutcome[];
  warnings: string[];
}

export async function runProofPathDemo(o: ProofPathDemoOptions): Promise<ProofPathDemoResult> {
  const warnings: string[] = [];
  const loadStart = loadavg()[0];
  const t0 = Date.now();
  const at = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s]`;
  const step = (label: string) => o.log(`${at()} ${label}…`);
  const path = o.path ?? "batched";
  const batched = path === "batched";
  const batchSize = batched ? (o.batchSize ?? DEMO_BATCH.size) : 1;
  const batchWaitMs = o.batchWaitMs ?? DEMO_BATCH.waitMs;
  const proofBatch = batched ? (o.proofBatch ?? 1) : 1;
  const bundleLog = { log: (m: string) => o.log(`  bundle: ${m}`) };
  const bundle = proofBatch > 1 ? await ensureBatchBundle(o.model, proofBatch, bundleLog) : await ensureDemoBundle(o.model, bundleLog);
  o.log(`model ${o.model}${proofBatch > 1 ? ` (its batch-${proofBatch} version: ${proofBatch} requests per proof)` : ""}: bundle ${bundle.dir} (${bundle.source}), manifest ${bundle.manifestHash.slice(0, 10)}…`);
  o.log(
    batched
      ? `path: batched (requests ${batchSize} to a transaction; results, votes and settlements batched by the workers, up to ${batchSize} per transaction, votes waiting up to ${batchWaitMs} ms for company)`
      : "path: per request (one transaction per request for each step: request, result, each vote, settle)",
  );

  let ps: ProofStack | undefined;
  try {
    ps = await startProofStack({
      bundleDir: bundle.dir,
      mode: MODES[o.mode],
      // ZKML_ONCHAIN and OPTIMISTIC (challenges) verify on chain: the project's Halo2 verifier for this bundle
      verifier: o.mode === "attested" ? undefined : (rpcUrl, chainId) => deployBundleVerifier(rpcUrl, chainId, bundle.dir, o.log),
      verifierNodes: o.verifiers,
      proverNodes: 1,
      echo: o.echo,
      onStep: step,
      // the fast-path workers start below, with the proof path's (in parallel: they share the cores anyway)
      startFastPath: false,
      // An automining node moves its clock at least a second per block, so a busy run's chain time runs ahead of the
      // wall clock (2-3x in a 50-request run): the protocol's default attestation window (600 s), not the tests'
      // short one, so that a verification node's vote, batched and on a loaded machine, lands inside it.
      hubParameters: { attestationWindow: 600 },
      batch: batched ? { maxSize: batchSize, maxWaitMs: 25 } : { maxSize: 1, maxWaitMs: 0 },
      proofEnv: {
        "verifier-node": batched
          ? { VERIFIER_ATTESTATION_MODE: "batch", VERIFIER_BATCH_MAX_SIZE: String(batchSize), VERIFIER_BATCH_MAX_WAIT_MS: String(batchWaitMs) }
          : { VERIFIER_ATTESTATION_MODE: "single", VERIFIER_BATCH_MAX_SIZE: "1", VERIFIER_BATCH_MAX_WAIT_MS: "0" },
      },
    });
    const stack = ps.stack;
    o.log(`chain ${stack.node.url}, hub ${ps.hub}, model id ${stack.model.modelId} (${MODES[o.mode]}, tolerance ${ps.tolerance} units at scale ${stack.model.model.outputScale})`);
    const backend = o.proverBackend ?? "wasm";
    const proofWorkers = `prover (${backend}, ${o.proverThreads} ${backend === "native" ? "processes" : "threads"})${o.mode === "attested" ? `, ${o.verifiers} verification nodes` : ""}`;
    step(`starting the workers: listener, executor, sender, ${proofWorkers}`);
    const proverEnv = {
      PROVER_THREADS: String(o.proverThreads),
      PROVER_BACKEND: backend,
      // a batch version's waiting requests each hold a job: room for a full batch besides the one being proved
      ...(proofBatch > 1 ? { PROVER_CONCURRENCY: String(2 * proofBatch) } : {}),
      ...(process.env.PROVER_PYTHON ? { PROVER_PYTHON: process.env.PROVER_PYTHON } : {}),
    };
    const starts: Promise<unknown>[] = [stack.startWorkers(), ps.start("prover", 0, proverEnv)];
    if (o.mode === "attested") for (let i = 0; i < o.verifiers; i++) starts.push(ps.start("verifier-node", i));
    await Promise.all(starts);

    if (o.mode === "optimistic") ps.startBlockTicker(1000); // the challenge window needs a moving chain clock
    const fromBlock = await stack.client.getBlockNumber();
    const inputs = exampleInputs(o.model, o.requests).map((r) => quantize(r, stack.model.model.inputScale));
    // Requests go through the example consumer contract, as a dApp's would (its onResult/onSettled callbacks run
    // under their gas cap), except in OPTIMISTIC mode: the demo's short challenge window needs a per-request
    // proofTimeout, and the example asks with the protocol's default deadlines. The example classifies Iris
    // (4 features): other models (digits) are requested directly from the hub.
    const useConsumer = o.mode !== "optimistic" && takesIrisFeatures(ps);
    if (useConsumer) step("deploying the example consumer contract");
    const consumer = useConsumer ? await deployExampleConsumer(ps) : undefined;
    if (consumer) o.log(`consumer: IrisClassifierConsumer at ${consumer.address}`);
    const fee = 10n ** 15n;
    // what classify must pay per request: the hub's quote for the consumer's options (price + callback budget) + fee
    const value = consumer ? await exampleConsumerPayment(stack.client, ps.hub, stack.model.modelId, consumer, fee) : 0n;
    const proofTimeout = o.mode === "optimistic" ? o.challengeWindow : undefined;
    const sent: TrackedRequest[] = [];
    const chunks = chunk(inputs, batchSize);
    step(batched ? `sending ${inputs.length} requests in ${chunks.length} transaction(s) (${consumer ? "classifyBatch" : "requestInferences"})` : `sending ${inputs.length} requests, one transaction each`);
    const requestFunction = consumer ? (batched ? "classifyBatch" : "classify") : batched ? "requestInferences" : "requestInference";
    const sentAt = Date.now();
    for (const items of chunks) {
      let made: { requestId: bigint; minedAt: number; gasUsed: bigint }[];
      if (consumer && !batched) made = [await stack.requestCall({ address: consumer.address, abi: consumer.abi, functionName: "classify" as never, args: [items[0]] as never, value }, "classify")];
      else if (consumer) {
        const call = { address: consumer.address, abi: consumer.abi, functionName: "classifyBatch" as never, args: [items, items.map(() => value)] as never, value: value * BigInt(items.length) };
        made = await stack.requestBatchCall(call, "classifyBatch");
      } else if (!batched) made = [await ps.request(items[0], { fee, proofTimeout })];
      else made = await ps.requestMany(items, { fee, proofTimeout });
      for (const r of made) sent.push({ requestId: r.requestId, minedAt: r.minedAt, requestGas: Number(r.gasUsed) / made.length, batch: made.length });
    }
    o.log(`${at()} sent ${sent.length} requests (#${sent[0]?.requestId}..#${sent.at(-1)?.requestId}); following them to settlement:`);
    const minedAt = new Map(sent.map((r) => [r.requestId, r.minedAt]));
    const onChanges = (changes: StatusChange[]) => {
      for (const [status, group] of groupBy(changes, (c) => c.status)) {
        const after = group.map((c) => (c.at - minedAt.get(c.requestId)!) / 1000);
        const lo = Math.min(...after).toFixed(1);
        const hi = Math.max(...after).toFixed(1);
        const when = group.length === 1 ? `${lo} s after its request` : `${lo === hi ? lo : `${lo}–${hi}`} s after their requests`;
        o.log(`${at()}   ${idRanges(group.map((c) => c.requestId))} ${STEP_NAMES[status] ?? requestStatusName(status)} (${when})`);
      }
    };
    const contracts = { hub: ps.hub, quorum: await stack.client.readContract({ address: ps.hub, abi: inferenceHubAbi, functionName: "attestationQuorum" }) };
    const onIdle = (open: { requestId: bigint; status: number }[]) => {
      for (const [status, group] of groupBy(open, (r) => r.status)) {
        o.log(`${at()}   still waiting: ${idRanges(group.map((r) => r.requestId))} (${requestStatusName(status)}; npm run demo -- --verbose shows the workers' logs)`);
      }
    };
    const timeoutMs = 120_000 + o.requests * 10_000 + o.challengeWindow * 1000;
    const state = await followRequests(stack.client, contracts, fromBlock, sent, timeoutMs, onChanges, onIdle);
    const wallMs = Date.now() - sentAt;
    const { rows, transactions } = await outcomes(stack.client, contracts, fromBlock, sent, state);
    const settled = rows.filter((r) => r.status === "Settled");
    const fast = rows.map((r) => r.fastMs).filter((x): x is number => x !== null);
    const settle = settled.map((r) => r.settleMs).filter((x): x is number => x !== null);
    const byStep = {} as Record<"request" | Step, number>;
    for (const k of ["request", ...STEPS] as const) byStep[k] = settled.length ? Math.round(settled.reduce((s, r) => s + r.gas[k], 0) / settled.length) : 0;
    const requestGas = sent.reduce((s, r) => s + r.requestGas, 0);
    return {
      mode: MODES[o.mode],
      path,
      model: o.model,
      requests: rows.length,
      settled: settled.length,
      batchSize,
      batchWaitMs: batched ? batchWaitMs : null,
      proofBatch,
      fastPathMs: { p50: percentile(fast, 50), p95: percentile(fast, 95) },
      settlementMs: { p50: percentile(settle, 50), p95: percentile(settle, 95), max: settle.length ? Math.max(...settle) : null },
      gasPerSettledRequest: { mean: settled.length ? Math.round(settled.reduce((s, r) => s + r.gas.total, 0) / settled.length) : null, byStep },
      transactions: {
        request: { transactions: chunks.length, reverted: 0, gas: Math.round(requestGas), items: sent.length, calls: { [requestFunction]: chunks.length } },
        ...transactions,
      },
      wallMs,
      machine: { cpus: cpus().length, load1: { start: round2(loadStart), end: round2(loadavg()[0]) } },
      perRequest: rows,
      warnings,
    };
  } finally {
    await ps?.stack.stop();
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) out.set(key(t), [...(out.get(key(t)) ?? []), t]);
  return out;
}

/** "#1–#4, #7": request ids, consecutive runs joined. */
export function idRanges(ids: readonly bigint[]): string {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1n) j++;
    parts.push(j - i >= 1 ? `#${sorted[i]}–#${sorted[j]}` : `#${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

/** Whether the registered model takes what IrisClassifierConsumer sends (4 features) and returns 3 scores. */
const takesIrisFeatures = (ps: ProofStack) => {
  const n = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  return n(ps.stack.model.model.inputShape) === 4 && n(ps.stack.model.model.outputShape) === 3;
};

/** Deploys contracts/examples/IrisClassifierConsumer.sol for the stack's model (from the Hardhat artifact). */
async function deployExampleConsumer(ps: ProofStack): Promise<{ address: Address; abi: Abi }> {
  const { abi, bytecode } = readArtifact("contracts/examples/IrisClassifierConsumer.sol", "IrisClassifierConsumer");
  const deployer = createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId }, devKey(0));
  const hash = await deployer.deployContract({ abi: abi as Abi, bytecode, args: [ps.hub, ps.stack.model.modelId] });
  const address = (await ps.stack.client.waitForTransactionReceipt({ hash })).contractAddress;
  if (!address) throw new Error(`IrisClassifierConsumer deployment ${hash} created no contract`);
  return { address, abi: abi as Abi };
}
