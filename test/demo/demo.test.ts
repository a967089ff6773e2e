// `npm run demo` is the embedded default a newcomer runs first: run it as a user would (a child process, its own
// chain, Redis and workers) and check what it reports, in the default both-paths mode and in fast mode.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT as root } from "../../protocol/repoRoot.js";

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

describe("npm run demo", () => {
  it("default mode: requests through the example consumer settle by attestation quorum, JSON written", { timeout: 300_000 }, async () => {
    const json = path.join(mkdtempSync(path.join(tmpdir(), "twinpath-demo-")), "out.json");
    const { code, out } = await runDemo(["--requests", "2", "--json", json], 280_000);
    assert.equal(code, 0, out);
    assert.match(out, /consumer: IrisClassifierConsumer at 0x/);
    assert.match(out, /2\/2 settled \(ZKML_ATTESTED\)/);
    const r = JSON.parse(readFileSync(json, "utf8"));
    assert.equal(r.mode, "ZKML_ATTESTED");
    assert.equal(r.requests, 2);
    assert.equal(r.settled, 2);
    assert.ok(r.settlementMs.p50 > 0 && r.settlementMs.p95 >= r.settlementMs.p50);
    assert.ok(r.gasPerSettledRequest.mean > r.gasPerSettledRequest.byStep.proof, "gas per settled request adds up the steps");
    for (const row of r.perRequest) assert.equal(row.status, "Settled");
  });

  it("--mode fast: every request delivered once, latency table and JSON", { timeout: 240_000 }, async () => {
    const json = path.join(mkdtempSync(path.join(tmpdir(), "twinpath-demo-")), "fast.json");
    const { code, out } = await runDemo(["--mode", "fast", "--requests", "4", "--concurrency", "2", "--json", json], 220_000);
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

  it("rejects a bad flag with a clear message and a non-zero exit", { timeout: 60_000 }, async () => {
    const { code, out } = await runDemo(["--mode", "sideways"], 50_000);
    assert.notEqual(code, 0);
    assert.match(out, /--mode must be attested, optimistic or onchain/);
  });
});
