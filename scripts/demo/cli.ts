/**
 * The proof-path demo's command line (`npm run demo`, through scripts/demo.ts; or `node --import tsx
 * scripts/demo/cli.ts`): its flags, and what it prints and writes for each run (scripts/demo/report.ts).
 *
 *   [--mode attested|optimistic|onchain] [--requests 8] [--model iris-mlp] [--batch-size 16] [--batch-wait-ms 1000]
 *   [--per-request | --compare] [--prover-threads 2] [--prover-backend wasm|native] [--verifiers 3]
 *   [--challenge-window 15] [--proof-batch 1] [--json FILE] [--verbose]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { demoDataset } from "../../models/index.js";
import { DEMO_BATCH, MODES, runProofPathDemo, type DemoPath, type ProofPathDemoOptions, type ProofPathDemoResult } from "./proofpath.js";
import { comparisonJson, comparisonTable, requestTable, summaryTable } from "./report.js";

/** The command line's options, or a usage error (thrown as DemoUsageError: its message says what is wrong). */
export class DemoUsageError extends Error {}

export interface ProofPathDemoArgs {
  options: Omit<ProofPathDemoOptions, "log" | "path">;
  /** the paths to run, in order: one, or both side by side (--compare) */
  paths: DemoPath[];
  json?: string;
}

/** Parses the proof-path demo's flags (argv without the node and script paths). Throws DemoUsageError. */
export function parseProofPathArgs(argv: string[]): ProofPathDemoArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mode: { type: "string", default: "attested" },
        requests: { type: "string", default: "8" },
        model: { type: "string", default: "iris-mlp" },
        "per-request": { type: "boolean", default: false },
        compare: { type: "boolean", default: false },
        "batch-size": { type: "string" },
        "batch-wait-ms": { type: "string" },
        "prover-threads": { type: "string", default: "2" },
        "prover-backend": { type: "string", default: "wasm" },
        verifiers: { type: "string", default: "3" },
        "challenge-window": { type: "string", default: "15" },
        "proof-batch": { type: "string" },
        json: { type: "string" }, // a file: the same figures as JSON
        verbose: { type: "boolean", default: false },
      },
    }));
  } catch (err) {
    throw new DemoUsageError(err instanceof Error ? err.message : String(err));
  }
  const mode = values.mode as keyof typeof MODES;
  if (!(mode in MODES)) throw new DemoUsageError(`--mode must be attested, optimistic or onchain (got ${values.mode})`);
  const backend = values["prover-backend"];
  if (backend !== "wasm" && backend !== "native") throw new DemoUsageError(`--prover-backend must be wasm or native (got ${backend})`);
  if (values["per-request"] && values.compare) throw new DemoUsageError("--per-request and --compare exclude each other (--compare runs the per-request path, then the batched one)");
  if (values["per-request"] && (values["batch-size"] !== undefined || values["batch-wait-ms"] !== undefined || values["proof-batch"] !== undefined)) {
    throw new DemoUsageError("--batch-size, --batch-wait-ms and --proof-batch set the batched path; --per-request sends every item alone");
  }
  if (values["proof-batch"] !== undefined && values["proof-batch"] !== "1" && mode === "optimistic") {
    throw new DemoUsageError("--proof-batch: an OPTIMISTIC challenge is one request's proof (batch versions are ZKML_ATTESTED or ZKML_ONCHAIN)");
  }
  return {
    options: {
      mode,
      proverBackend: backend,
      requests: int("requests", values.requests!, 1, 1000),
      model: values.model!,
      batchSize: int("batch-size", values["batch-size"] ?? String(DEMO_BATCH.size), 1, MAX_BATCH),
      batchWaitMs: int("batch-wait-ms", values["batch-wait-ms"] ?? String(DEMO_BATCH.waitMs), 0, 60_000),
      proverThreads: int("prover-threads", values["prover-threads"]!, 1, 64),
      verifiers: int("verifiers", values.verifiers!, 1, 4),
      challengeWindow: int("challenge-window", values["challenge-window"]!, 1, 3600),
      proofBatch: int("proof-batch", values["proof-batch"] ?? "1", 1, 64),
      echo: values.verbose,
    },
    paths: values.compare ? ["per-request", "batched"] : values["per-request"] ? ["per-request"] : ["batched"],
    json: values.json,
  };
}

/** Requests per batched transaction at most: 50 of the example consumer's classifications fit a block easily. */
export const MAX_BATCH = 50;

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new DemoUsageError(`--${name} must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  return n;
}

/** CLI entry (also reached through `scripts/demo.ts --mode …`). Exits the process. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  let args: ProofPathDemoArgs;
  try {
    args = parseProofPathArgs(argv);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    console.error(`${err.message}\n(npm run demo -- --help lists the options)`);
    process.exit(2);
  }
  const log = (l: string) => console.log(l);
  const results: ProofPathDemoResult[] = [];
  for (const path of args.paths) {
    if (args.paths.length > 1) log(`\n=== ${path} path (${results.length + 1} of ${args.paths.length}) ===`);
    const result = await runProofPathDemo({ ...args.options, path, log });
    results.push(result);
    for (const w of result.warnings) log(`WARNING: ${w}`);
    log("");
    log(requestTable(result.perRequest, demoDataset(result.model).classes ?? []));
    log("");
    log(summaryTable(result));
  }
  if (results.length > 1) {
    log("");
    log(comparisonTable(results));
  }
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(results.length > 1 ? comparisonJson(results) : results[0], null, 2) + "\n");
    log(`JSON written to ${args.json}`);
  }
  process.exit(results.every((r) => r.settled === r.requests) ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
