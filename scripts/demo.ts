/**
 * `npm run demo`: Twinpath on one machine, no set-up beyond `npm install`. By default both paths, to settlement,
 * batched (scripts/demo/proofpath.ts; `--per-request` for the path before batching, `--compare` for both side by
 * side); `--mode fast`: the fast path alone.
 * Starts a Hardhat node on loopback, Redis (REDIS_URL, or a redis-server of its own on a free port), deploys
 * with Ignition, registers the iris-mlp model and two staked executor nodes, starts the workers as child
 * processes (the entry points pm2 runs), sends requests through the example consumer contract and prints
 * per-request fast-path latency (request mined -> result mined), p50/p95, throughput and gas.
 *
 *   node --import tsx scripts/demo.ts --mode fast [--requests 20] [--concurrency 10] [--executors 2]
 *                                     [--batch-size 16] [--batch-wait-ms 25] [--json FILE] [--verbose]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { table } from "../devnet/stats.js";
import type { Stack } from "../devnet/stack.js";
import { runFastPathDemo } from "./demo/fastpath.js";
import { demoDataset } from "../models/index.js";
import { main as proofPathDemo } from "./demo/cli.js";

// Default: both paths, to settlement (prover + verification nodes), scripts/demo/proofpath.ts (its options below, scripts/demo/cli.ts).
// `--mode fast` runs the fast path alone, with the options below (--concurrency, batching, executors).
const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(`usage: npm run demo -- [--mode attested|optimistic|onchain] [--requests N] [--batch-size B] [--batch-wait-ms W]
                           [--per-request | --compare] [--model NAME] [--prover-threads T] [--prover-backend wasm|native]
                           [--verifiers V] [--challenge-window S] [--proof-batch P] [--json FILE] [--verbose]
         both paths, to settlement (default: attested, 8 requests, batched)
         batched (default): requests B to a transaction (default 16; classifyBatch / requestInferences), the workers
           batch results, votes (one signed Merkle root per batch per verification node, waiting up to W ms for
           company, default 1000) and settlements (settleMany), up to B per transaction
         --proof-batch P: the model's batch-P version (built on first use), P requests per proof (attested, onchain)
         --per-request: one transaction per request and step (classify, submitResult, one vote each, settle)
         --compare: the per-request path, then the batched one, each on a fresh stack; a side-by-side table
       npm run demo -- --mode fast [--model NAME] [--requests N] [--concurrency C] [--executors E] [--batch-size B]
                           [--batch-wait-ms W] [--json FILE] [--verbose]
         the fast path alone (B: results per submitResults transaction, W: how long the sender gathers them)`);
  process.exit(0);
}
const modeAt = argv.findIndex((a) => a === "--mode" || a.startsWith("--mode="));
const mode = modeAt < 0 ? "attested" : argv[modeAt].includes("=") ? argv[modeAt].split("=")[1] : argv[modeAt + 1];
if (mode !== "fast") {
  if (modeAt < 0) process.argv.push("--mode", "attested");
  await proofPathDemo(); // exits the process
}
process.argv.splice(2 + modeAt, argv[modeAt].includes("=") ? 1 : 2); // parseArgs below is strict: drop --mode fast

const fastOptions = {
  model: { type: "string", default: "iris-mlp" },
  requests: { type: "string", default: "20" },
  concurrency: { type: "string", default: "10" },
  executors: { type: "string", default: "2" },
  "batch-size": { type: "string", default: "16" },
  "batch-wait-ms": { type: "string", default: "25" },
  json: { type: "string" },
  verbose: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} as const;
const values = (() => {
  try {
    return parseArgs({ options: fastOptions }).values;
  } catch (err) {
    // e.g. --per-request: the fast-path demo measures the sender's batching with --batch-size instead
    console.error(`${err instanceof Error ? err.message : String(err)}\n(npm run demo -- --help lists each mode's options)`);
    process.exit(2);
  }
})();
const int = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
    process.exit(2);
  }
  return n;
};
const options = {
  model: values.model!,
  requests: int("requests", values.requests!, 1, 10_000),
  concurrency: int("concurrency", values.concurrency!, 1, 10_000),
  executorProcesses: int("executors", values.executors!, 1, 32),
  batch: { maxSize: int("batch-size", values["batch-size"]!, 1, 500), maxWaitMs: int("batch-wait-ms", values["batch-wait-ms"]!, 0, 60_000) },
  log: (line: string) => console.log(line),
  echo: values.verbose,
};

// Every child (chain, Redis, workers) is stopped on the way out, including on ctrl-C.
let stack: Stack | undefined;
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (stack) {
    console.log("stopping workers, chain and Redis…");
    await stack.stop().catch(() => {});
  }
  process.exit(code);
};
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));

try {
  const { rows, summary } = await runFastPathDemo(options, (s) => (stack = s));
  const CLASSES = demoDataset(options.model).classes;
  console.log("");
  console.log(
    table(
      ["request", "class", "req block", "res block", "fast path ms", "queue ms", "inference ms", "chain ms", "batch", "req gas", "result gas/req"],
      rows.map((r) => [r.requestId, CLASSES[r.class] ?? "?", r.requestBlock, r.resultBlock, r.fastPathMs, r.queueMs, r.inferenceMs, r.chainMs, r.batchSize, r.requestGas, r.resultGasShare]),
    ),
  );
  const s = summary;
  console.log("");
  console.log(
    table(
      ["summary", "value"],
      [
        ["requests delivered", `${s.delivered}/${s.requests}`],
        ["fast path p50 (ms)", s.fastPathMs.p50],
        ["fast path p95 (ms)", s.fastPathMs.p95],
        ["fast path max (ms)", s.fastPathMs.max],
        ["throughput (results/s)", s.throughputPerSec],
        ["gas per request tx", s.gas.requestMean],
        ["result gas per request", s.gas.resultPerRequestMean],
        ["result transactions", s.gas.resultTransactions],
        ["proof / settlement", "npm run demo (without --mode fast)"],
      ],
    ),
  );
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ options: { ...options, log: undefined }, summary, rows }, null, 2));
    console.log(`\nwrote ${values.json}`);
  }
  await stop(s.delivered === s.requests ? 0 : 1);
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}
