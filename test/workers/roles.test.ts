// Every role runs through runRole (workers/shared/runRole.ts): two pm2 instances of a role with a fixed
// METRICS_PORT serve /health and /metrics on METRICS_PORT + NODE_APP_INSTANCE, so they never collide (the prover
// and the verification node used the port as given, and a second instance failed to start).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startProofStack, type ProofStack } from "../../devnet/proofPath.js";
import { freePort } from "../../devnet/ports.js";
import type { WorkerProcess } from "../../devnet/processes.js";
import { ensureDemoBundle } from "../../models/index.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

const ROLES = ["listener", "executor", "sender", "prover", "verifier-node"] as const;

/** A port p with p + 1 free too. */
async function portPair(): Promise<number> {
  for (;;) {
    const p = await freePort();
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(p + 1, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return p;
  }
}

async function health(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: res.status, body: await res.text() };
}

describe("worker roles (runRole)", { timeout: 600_000 }, () => {
  let ps: ProofStack;
  before(async () => {
    const { dir } = await ensureDemoBundle("iris-mlp");
    ps = await startProofStack({ bundleDir: dir, verifierNodes: 2, proverNodes: 2, startFastPath: false, logLevel: "info" });
  });
  after(async () => ps?.stack.stop());

  it("every main.ts starts through runRole", () => {
    for (const role of ROLES) {
      const main = readFileSync(join(REPO_ROOT, "workers", role, "main.ts"), "utf8");
      assert.match(main, /await runRole\(/, `workers/${role}/main.ts`);
    }
  });

  it("two instances of each proof-path role serve health and metrics on METRICS_PORT + instance", async () => {
    const keys = { prover: ps.proverKeys.slice(0, 2).join(","), "verifier-node": ps.verifierKeys.slice(0, 2).join(",") };
    for (const role of ["prover", "verifier-node"] as const) {
      const base = await portPair();
      const started: WorkerProcess[] = [];
      for (const instance of [0, 1]) {
        const keyVar = role === "prover" ? "PROVER_PRIVATE_KEY" : "VERIFIER_PRIVATE_KEY";
        started.push(await ps.start(role, instance, { METRICS_PORT: String(base), NODE_APP_INSTANCE: String(instance), [keyVar]: keys[role] }, `${role}-pm2-${instance}`));
      }
      const ports = await Promise.all(started.map(async (w) => Number((await w.waitForLog((l) => String(l.msg).endsWith("started"))).metricsPort)));
      assert.deepEqual(ports, [base, base + 1], role);
      for (const port of ports) {
        const h = await health(port);
        assert.equal(h.status, 200, `${role} :${port} ${h.body}`);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assert.match(metrics, new RegExp(`twinpath_queue_depth\\{[^}]*queue="${role === "prover" ? "prove" : "verify"}"`), `${role} queue depth`);
      }
      await Promise.all(started.map((w) => w.stop()));
      for (const w of started) assert.equal((await w.exited).code, 0, `${w.name} shut down cleanly: ${w.stderr()}`);
    }
  });

  it("two executors do the same, and the fast-path roles report their queue depth", async () => {
    const base = await portPair();
    const executors = [0, 1].map((i) => ps.stack.startWorker("executor", `executor-pm2-${i}`, { METRICS_PORT: String(base), NODE_APP_INSTANCE: String(i) }));
    const ports = await Promise.all(executors.map(async (w) => Number((await w.waitForLog((l) => String(l.msg).endsWith("started"), 60_000)).metricsPort)));
    assert.deepEqual(ports, [base, base + 1]);
    for (const port of ports) assert.equal((await health(port)).status, 200);
    await Promise.all(executors.map((w) => w.stop()));
  });
});
