/**
 * Twinpath on one machine, both paths: a local Hardhat node, Redis, the protocol deployed with Ignition, the demo
 * model registered from its EZKL bundle, the fast path (listener, executor, sender), the proof path (prover and,
 * in ZKML_ATTESTED mode, three verification nodes; in ZKML_ONCHAIN and OPTIMISTIC mode the model's on-chain Halo2
 * verifier from halo2/solidity), and a batch of requests. Prints each request's fast-path
 * latency, time to settlement, end state and gas.
 *
 *   node --import tsx scripts/demo/proofpath.ts [--mode attested|optimistic|onchain] [--requests 8] [--model iris-mlp] [--json FILE]
 *                                              [--prover-threads 2] [--json] [--verbose]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Abi, Address } from "viem";
import { readArtifact } from "../../protocol/abi/sources.js";
import { createSignerClient } from "../../workers/chain/client.js";
import { exampleConsumerPayment } from "../../devnet/stack.js";
import { devKey } from "../../devnet/hardhatNode.js";
import { deployBundleVerifier, startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { outcomes, percentile, trackRequests, type RequestOutcome, type TrackedRequest } from "./track.js";
import { quantize } from "../../protocol/fixedPoint.js";

const MODES = { attested: "ZKML_ATTESTED", optimistic: "OPTIMISTIC", onchain: "ZKML_ONCHAIN" } as const;

export interface ProofPathDemoOptions {
  mode: keyof typeof MODES;
  requests: number;
  model: string;
  proverThreads: number;
  verifiers: number;
  /** OPTIMISTIC challenge window, seconds */
  challengeWindow: number;
  log: (line: string) => void;
  echo?: boolean;
}

export interface ProofPathDemoResult {
  mode: string;
  model: string;
  requests: number;
  settled: number;
  fastPathMs: { p50: number | null; p95: number | null };
  settlementMs: { p50: number | null; p95: number | null };
  gasPerSettledRequest: { mean: number | null; byStep: Record<string, number> };
  perRequest: RequestOutcome[];
  warnings: string[];
}

export async function runProofPathDemo(o: ProofPathDemoOptions): Promise<ProofPathDemoResult> {
  const warnings: string[] = [];
  const bundle = await ensureDemoBundle(o.model, { log: (m) => o.log(`  bundle: ${m}`) });
  o.log(`model ${o.model}: bundle ${bundle.dir} (${bundle.source}), manifest ${bundle.manifestHash.slice(0, 10)}…`);

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
    });
    o.log(`chain ${ps.stack.node.url}, hub ${ps.hub}, model id ${ps.stack.model.modelId} (${MODES[o.mode]}, tolerance ${ps.tolerance} units at scale ${ps.stack.model.model.outputScale})`);
    const starts = [ps.start("prover", 0, { PROVER_THREADS: String(o.proverThreads) })];
    if (o.mode === "attested") for (let i = 0; i < o.verifiers; i++) starts.push(ps.start("verifier-node", i));
    await Promise.all(starts);
    o.log(`workers: listener, executor, sender, prover (${o.proverThreads} threads)${o.mode === "attested" ? `, ${o.verifiers} verification nodes` : ""}`);

    if (o.mode === "optimistic") ps.startBlockTicker(1000); // the challenge window needs a moving chain clock
    const fromBlock = await ps.stack.client.getBlockNumber();
    const inputs = exampleInputs(o.model, o.requests).map((r) => quantize(r, ps!.stack.model.model.inputScale));
    // Requests go through the example consumer contract, as a dApp's would (its onResult/onSettled callbacks run
    // under their gas cap), except in OPTIMISTIC mode: the demo's short challenge window needs a per-request
    // proofTimeout, and the example asks with the protocol's default deadlines.
    const consumer = o.mode === "optimistic" ? undefined : await deployExampleConsumer(ps);
    if (consumer) o.log(`consumer: IrisClassifierConsumer at ${consumer.address}`);
    const fee = 10n ** 15n;
    // what classify must pay: the hub's quote for the consumer's options (price + callback budget), plus the fee
    const value = consumer ? await exampleConsumerPayment(ps.stack.client, ps.hub, ps.stack.model.modelId, consumer, fee) : 0n;
    const sent: TrackedRequest[] = [];
    for (const input of inputs) {
      if (consumer) {
        const r = await ps.stack.requestCall({ address: consumer.address, abi: consumer.abi, functionName: "classify" as never, args: [input] as never, value }, "classify");
        sent.push({ requestId: r.requestId, minedAt: r.minedAt, requestGas: r.gasUsed });
      } else {
        const r = await ps.request(input, { fee, proofTimeout: o.challengeWindow });
        sent.push({ requestId: r.requestId, minedAt: r.minedAt, requestGas: r.gasUsed });
      }
    }
    o.log(`sent ${sent.length} requests; following them to settlement…`);
    const state = await trackRequests(ps.stack.client, ps.hub, sent, 180_000 + o.challengeWindow * 1000);
    const rows = await outcomes(ps.stack.client, ps.hub, fromBlock, sent, state);
    const settled = rows.filter((r) => r.status === "Settled");
    const fast = rows.map((r) => r.fastMs).filter((x): x is number => x !== null);
    const settle = settled.map((r) => r.settleMs!).filter((x) => x !== null);
    const byStep: Record<string, number> = {};
    for (const k of ["request", "result", "proof", "attestations", "settle"] as const) {
      byStep[k] = settled.length ? Math.round(settled.reduce((s, r) => s + r.gas[k], 0) / settled.length) : 0;
    }
    return {
      mode: MODES[o.mode],
      model: o.model,
      requests: rows.length,
      settled: settled.length,
      fastPathMs: { p50: percentile(fast, 50), p95: percentile(fast, 95) },
      settlementMs: { p50: percentile(settle, 50), p95: percentile(settle, 95) },
      gasPerSettledRequest: { mean: settled.length ? Math.round(settled.reduce((s, r) => s + r.gas.total, 0) / settled.length) : null, byStep },
      perRequest: rows,
      warnings,
    };
  } finally {
    await ps?.stack.stop();
  }
}

/** Deploys contracts/examples/IrisClassifierConsumer.sol for the stack's model (from the Hardhat artifact). */
async function deployExampleConsumer(ps: ProofStack): Promise<{ address: Address; abi: Abi }> {
  const { abi, bytecode } = readArtifact("contracts/examples/IrisClassifierConsumer.sol", "IrisClassifierConsumer");
  const deployer = createSignerClient({ rpcUrl: ps.stack.node.url, chainId: ps.stack.node.chainId }, devKey(0));
  const hash = await deployer.deployContract({ abi: abi as Abi, bytecode, args: [ps.hub, ps.stack.model.modelId] });
  const address = (await ps.stack.client.waitForTransactionReceipt({ hash })).contractAddress;
  if (!address) throw new Error(`IrisClassifierConsumer deployment ${hash} created no contract`);
  return { address, abi: abi as Abi };
}

function table(rows: RequestOutcome[]): string {
  const head = ["request", "fast path", "settled after", "end state", "gas/request"];
  const body = rows.map((r) => [
    `#${r.requestId}`,
    r.fastMs === null ? "-" : `${r.fastMs} ms`,
    r.settleMs === null ? "-" : `${(r.settleMs / 1000).toFixed(1)} s`,
    r.status + (r.mismatch ? " (executor slashed)" : ""),
    r.gas.total.toLocaleString("en-US"),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padEnd(w[i])).join("  ")).join("\n");
}

/** CLI entry (also reached through `scripts/demo.ts --mode …`). Exits the process. */
export async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string", default: "attested" },
      requests: { type: "string", default: "8" },
      model: { type: "string", default: "iris-mlp" },
      "prover-threads": { type: "string", default: "2" },
      verifiers: { type: "string", default: "3" },
      "challenge-window": { type: "string", default: "15" },
      json: { type: "string" }, // a file: the same figures as JSON
      verbose: { type: "boolean", default: false },
    },
  });
  const mode = values.mode as keyof typeof MODES;
  if (!(mode in MODES)) {
    console.error(`--mode must be attested, optimistic or onchain (got ${values.mode})`);
    process.exit(2);
  }
  const log = (l: string) => console.log(l);
  const result = await runProofPathDemo({
    mode,
    requests: Number(values.requests),
    model: values.model!,
    proverThreads: Number(values["prover-threads"]),
    verifiers: Number(values.verifiers),
    challengeWindow: Number(values["challenge-window"]),
    log,
    echo: values.verbose,
  });
  {
    if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + "\n");
    for (const w of result.warnings) console.log(`WARNING: ${w}`);
    console.log("");
    console.log(table(result.perRequest));
    console.log("");
    console.log(`${result.settled}/${result.requests} settled (${result.mode}); fast path p50 ${result.fastPathMs.p50} ms, p95 ${result.fastPathMs.p95} ms; settlement p50 ${fmtS(result.settlementMs.p50)}, p95 ${fmtS(result.settlementMs.p95)}`);
    console.log(`gas per settled request: ${result.gasPerSettledRequest.mean?.toLocaleString("en-US") ?? "-"} (${Object.entries(result.gasPerSettledRequest.byStep).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ")})`);
    if (values.json) console.log(`JSON written to ${values.json}`);
  }
  process.exit(result.settled === result.requests ? 0 : 1);
}

const fmtS = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);

if (import.meta.url === `file://${process.argv[1]}`) await main();
