// `npm run demo` is the embedded default a newcomer runs first: run it as a user would (a child process, its own
// chain, Redis and workers) and check what it reports: the batched default and --per-request (what --compare runs
// one after the other), then fast mode. The flags themselves are checked without a stack.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT as root } from "../../protocol/repoRoot.js";
import { idRanges, type ProofPathDemoResult } from "../../scripts/demo/proofpath.js";
import { DemoUsageError, parseProofPathArgs } from "../../scripts/demo/cli.js";
import { comparisonJson, comparisonTable } from "../../scripts/demo/report.js";

function runDemo(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], { cwd: root, env: process.env });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill("SIGINT"); // the demo cleans up its children on SIGINT
      reject(new Error(`demo ${args.join(" ")} timed out; output:\n${out}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const STEPS = ["request", "result", "proof", "attestations", "settle"] as const;

/** Every request settled, answered, and its gas is the sum of its steps; each step's shares add up to its transactions' gas. */
function assertSettledAndPriced(r: ProofPathDemoResult, requests: number) {
  assert.equal(r.mode, "ZKML_ATTESTED");
  assert.equal(r.requests, requests);
  assert.equal(r.settled, requests);
  assert.ok(r.settlementMs.p50! > 0 && r.settlementMs.p95! >= r.settlementMs.p50!);
  for (const row of r.perRequest) {
    assert.equal(row.status, "Settled");
    assert.ok(row.answer !== null && row.answer >= 0 && row.answer < 3, "the model's answer: one of 3 classes");
    const sum = STEPS.reduce((s, k) => s + row.gas[k], 0);
    assert.ok(Math.abs(row.gas.total - sum) <= STEPS.length, `request #${row.requestId}: total ${row.gas.total} = its steps ${sum}`);
    for (const k of STEPS) assert.ok(row.gas[k] > 0, `request #${row.requestId} paid for its ${k}`);
  }
  // a batched transaction's gas is shared by its items, not charged whole to each: the rows add up to the transactions
  for (const k of STEPS) {
    const rows = r.perRequest.reduce((s, row) => s + row.gas[k], 0);
    assert.ok(Math.abs(rows - r.transactions[k].gas) <= requests, `${k}: rows add up to ${rows}, its transactions used ${r.transactions[k].gas}`);
  }
}

// The runs at once (each its own chain, Redis and workers): they wait on proofs and blocks more than they compute.
describe("npm run demo", { concurrency: true }, () => {
  it("the batched default (here with batch-2 proofs) and --per-request: every request settles, answered and priced by step; the two side by side", { timeout: 420_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "twinpath-demo-"));
    const [b, p] = await Promise.all([
      // one proving thread and one verification node (its vote is the quorum): every process a demo starts costs
      // seconds of CPU (a verification node ~5 s), and the file runs three demos at once
      // --proof-batch 2: the committed batch-2 version (its proving key derived in well under a second)
      runDemo(["--requests", "3", "--batch-size", "2", "--proof-batch", "2", "--verifiers", "1", "--prover-threads", "1", "--json", path.join(dir, "batched.json")], 400_000),
      runDemo(["--per-request", "--requests", "2", "--verifiers", "1", "--prover-threads", "1", "--json", path.join(dir, "per-request.json")], 400_000),
    ]);
    assert.equal(b.code, 0, b.out);
    assert.equal(p.code, 0, p.out);
    for (const { out } of [b, p]) {
      assert.match(out, /starting a Hardhat node on loopback/, "set-up steps shown");
      assert.match(out, /consumer: IrisClassifierConsumer at 0x/);
      assert.match(out, /\] +#\d[^\n]* result on chain \(fast path\) \(\d/, "live progress");
      assert.match(out, /\n#1 +(setosa|versicolor|virginica) /, "the model's answer in the final table");
      assert.match(out, /step +gas per settled request +transactions +requests per tx +reverted/);
    }
    assert.match(b.out, /path: batched \(requests 2 to a transaction/);
    assert.match(b.out, /sending 3 requests in 2 transaction\(s\) \(classifyBatch\)/);
    assert.match(b.out, /#1–#\d (result on chain \(fast path\)|proof submitted|settled) \([\d.–]+ s after their requests\)/, "a batch moves together");
    assert.match(b.out, /3\/3 settled \(ZKML_ATTESTED, batched path, batch size 2, 2 requests per proof\)/);
    assert.match(p.out, /sending 2 requests, one transaction each/);
    assert.match(p.out, /2\/2 settled \(ZKML_ATTESTED, per-request path\)/);

    const batched = JSON.parse(readFileSync(path.join(dir, "batched.json"), "utf8")) as ProofPathDemoResult;
    const perRequest = JSON.parse(readFileSync(path.join(dir, "per-request.json"), "utf8")) as ProofPathDemoResult;
    assert.equal(perRequest.path, "per-request");
    assert.equal(batched.path, "batched");
    assertSettledAndPriced(perRequest, 2);
    assertSettledAndPriced(batched, 3);

    // per request: one transaction per request for the request, its result, each vote and each settle
    assert.deepEqual(perRequest.perRequest.map((r) => r.batch), [1, 1]);
    assert.deepEqual(perRequest.transactions.request.calls, { classify: 2 });
    for (const k of ["result", "attestations"] as const) assert.equal(perRequest.transactions[k].items, perRequest.transactions[k].transactions, `one ${k} item per transaction`);
    assert.deepEqual(Object.keys(perRequest.transactions.attestations.calls), ["submitAttestations"]);
    assert.deepEqual(Object.keys(perRequest.transactions.settle.calls), ["settle"]);
    // batched: classifyBatch of 2 then 1; votes as signed roots, settlement by settleMany
    assert.deepEqual(batched.perRequest.map((r) => r.batch), [2, 2, 1]);
    assert.deepEqual(batched.transactions.request.calls, { classifyBatch: 2 });
    assert.deepEqual(Object.keys(batched.transactions.attestations.calls), ["submitAttestationBatch"]);
    assert.deepEqual(Object.keys(batched.transactions.settle.calls), ["settleMany"]);
    // batch proofs: commitments of up to 2 requests each, one vote per node per batch (its gas shared by the batch)
    assert.equal(batched.proofBatch, 2);
    assert.deepEqual(Object.keys(batched.transactions.proof.calls), ["commitBatchProof"]);
    assert.equal(batched.transactions.proof.items, 3, "every request committed once");
    assert.ok(batched.transactions.proof.transactions <= 3);
    assert.equal(batched.perRequest[0].gas.request, batched.perRequest[1].gas.request, "a batch's request gas split equally");
    assert.ok(batched.gasPerSettledRequest.byStep.request < perRequest.gasPerSettledRequest.byStep.request, "a batched request costs less");

    // what --compare prints and writes, from the two runs
    assert.match(comparisonTable([perRequest, batched]), /side by side\s+per-request path\s+batched path \(batch 2, 2 per proof\)\s+ratio/);
    const c = comparisonJson([perRequest, batched]);
    assert.deepEqual(c.sideBySide.settled, { "per-request": 2, batched: 3, ratio: 1.5 });
    assert.equal(c.sideBySide["gas per settled request"].batched, batched.gasPerSettledRequest.mean);
    assert.equal(c.sideBySide["settlement p95"].ratio, Math.round((batched.settlementMs.p95! / perRequest.settlementMs.p95!) * 1000) / 1000);
  });

  it("--mode fast: every request delivered once, latency table and JSON", { timeout: 240_000 }, async () => {
    const json = path.join(mkdtempSync(path.join(tmpdir(), "twinpath-demo-")), "fast.json");
    const { code, out } = await runDemo(["--mode", "fast", "--requests", "4", "--concurrency", "2", "--executors", "1", "--json", json], 220_000);
    assert.equal(code, 0, out);
    assert.match(out, /requests delivered\s+4\/4/);
    const r = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(r.summary.requests, 4);
    assert.equal(r.summary.delivered, 4);
    assert.ok(r.summary.fastPathMs.p50 > 0 && r.summary.fastPathMs.p95 >= r.summary.fastPathMs.p50);
    assert.equal(new Set(r.rows.map((row: { requestId: string }) => row.requestId)).size, 4, "one row per request");
    for (const row of r.rows) {
      assert.equal(row.via, "consumer");
      assert.equal(row.output.length, 3, "three class scores");
      assert.ok(row.resultBlock > row.requestBlock);
    }
  });

  it("rejects a bad flag with a clear message and a non-zero exit, in each mode", { timeout: 60_000 }, async () => {
    const [proof, fast] = await Promise.all([runDemo(["--mode", "sideways"], 50_000), runDemo(["--mode", "fast", "--per-request"], 50_000)]);
    assert.equal(proof.code, 2);
    assert.match(proof.out, /--mode must be attested, optimistic or onchain/);
    assert.equal(fast.code, 2);
    assert.match(fast.out, /Unknown option '--per-request'/);
    for (const { out } of [proof, fast]) assert.doesNotMatch(out, /\n\s+at /, "a message, not a stack trace");
  });
});

describe("demo flags", () => {
  it("the batched path is the default; --per-request and --compare choose the paths; --batch-size and --batch-wait-ms set it", () => {
    const d = parseProofPathArgs([]);
    assert.deepEqual(d.paths, ["batched"]);
    assert.equal(d.options.mode, "attested");
    assert.equal(d.options.batchSize, 16);
    assert.equal(d.options.batchWaitMs, 1000);
    assert.deepEqual(parseProofPathArgs(["--per-request"]).paths, ["per-request"]);
    assert.deepEqual(parseProofPathArgs(["--compare"]).paths, ["per-request", "batched"]);
    const b = parseProofPathArgs(["--batch-size", "50", "--batch-wait-ms", "0", "--requests", "50"]);
    assert.equal(b.options.batchSize, 50);
    assert.equal(b.options.batchWaitMs, 0);
    assert.equal(b.options.requests, 50);
    assert.equal(b.options.proofBatch, 1, "one request per proof unless asked");
    assert.equal(parseProofPathArgs(["--proof-batch", "16", "--mode", "onchain"]).options.proofBatch, 16);
  });

  it("refuses bad or conflicting values, naming the flag", () => {
    const refused = (argv: string[], message: RegExp) => assert.throws(() => parseProofPathArgs(argv), (e) => e instanceof DemoUsageError && message.test(e.message));
    refused(["--batch-size", "0"], /--batch-size must be an integer in 1\.\.50 \(got "0"\)/);
    refused(["--batch-size", "51"], /--batch-size must be an integer in 1\.\.50/);
    refused(["--batch-size", "2.5"], /--batch-size must be an integer/);
    refused(["--requests", "many"], /--requests must be an integer/);
    refused(["--batch-wait-ms=-1"], /--batch-wait-ms must be an integer/);
    refused(["--per-request", "--compare"], /--per-request and --compare exclude each other/);
    refused(["--per-request", "--batch-size", "4"], /--batch-size, --batch-wait-ms and --proof-batch set the batched path/);
    refused(["--per-request", "--proof-batch", "4"], /--proof-batch set the batched path/);
    refused(["--mode", "optimistic", "--proof-batch", "4"], /an OPTIMISTIC challenge is one request's proof/);
    refused(["--proof-batch", "65"], /--proof-batch must be an integer in 1\.\.64/);
    refused(["--mode", "sideways"], /--mode must be attested, optimistic or onchain/);
    refused(["--bogus"], /Unknown option '--bogus'/);
  });

  it("progress names a batch's requests as ranges", () => {
    assert.equal(idRanges([3n, 1n, 2n, 7n, 9n, 10n]), "#1–#3, #7, #9–#10");
    assert.equal(idRanges([5n]), "#5");
  });
});
