// The new user's path, as the README's "From the demo to your own deployment" walks it: from a fresh clone to a
// local deployment with staked nodes (`twinpath dev up`), a model of their own (an ONNX file they bring, here one
// written with the project's ONNX writer; `twinpath model build` compiles it, `twinpath model register` registers it)
// and a request followed to Settled (`twinpath request`, `twinpath status`), then `twinpath dev down` leaving nothing
// running. Only the CLI is used (a real Hardhat node, a real Redis, real workers and real proofs), and every command
// the test runs is one the README shows. The clone gets the repository's node_modules (the install is the README's
// first command, tested by CI); everything else it builds itself (contracts, the bundle, the proving key). Commands
// run through the launcher that package.json's "bin" names (what `npx twinpath` runs), not through npx itself, whose
// lookup of a project's own bin differs between npm versions.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildOnnxModel } from "../../compiler/onnx/write.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

/** The user's own model: 4 features -> 3 class scores (Gemm, Relu, Gemm), with a few calibration samples. */
function userModel(): Uint8Array {
  const w1 = Float32Array.from([0.8, -0.5, 0.3, 0.1, -0.2, 0.6, -0.4, 0.7, 0.5, 0.2, -0.6, -0.3, -0.1, 0.4, 0.9, -0.7, 0.3, -0.8, 0.2, 0.5, 0.6, 0.1, -0.3, 0.4]);
  const w2 = Float32Array.from([0.7, -0.2, 0.5, -0.6, 0.3, 0.1, -0.4, 0.8, -0.3, 0.2, 0.6, -0.5, 0.1, -0.7, 0.4, 0.9, -0.1, 0.3]);
  return buildOnnxModel({
    name: "my-classifier",
    inputs: [{ name: "x", shape: [1, 4] }],
    outputs: [{ name: "y", shape: [1, 3] }],
    initializers: [
      { name: "W1", dims: [6, 4], data: w1 },
      { name: "b1", dims: [6], data: Float32Array.from([0.1, -0.1, 0.05, 0, 0.2, -0.05]) },
      { name: "W2", dims: [3, 6], data: w2 },
      { name: "b2", dims: [3], data: Float32Array.from([0.05, -0.02, 0.01]) },
    ],
    nodes: [
      { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"], attributes: { transB: 1 } },
      { op: "Relu", inputs: ["h"], outputs: ["r"] },
      { op: "Gemm", inputs: ["r", "W2", "b2"], outputs: ["y"], attributes: { transB: 1 } },
    ],
  });
}

const SAMPLES = [
  [0.5, -0.3, 0.8, 1.1],
  [-1, 0.2, 0.4, -0.6],
  [0.9, 0.9, -0.9, 0.1],
  [-0.4, -0.8, 0.3, 0.7],
  [0.1, 0.6, -0.2, -1],
  [1, -1, 1, -1],
];

/** The commands of the README walk-through, as the test runs them (each must appear there). */
const README_COMMANDS = [
  "npx twinpath dev up",
  "npx twinpath node status",
  "npx twinpath model build",
  "npx twinpath model register",
  "npx twinpath request --model",
  "npx twinpath status",
  "npx twinpath dev down",
];

describe("a new user, with the README and the CLI only", { timeout: 420_000 }, () => {
  let work: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;
  let bin: string;
  const started = Date.now();
  const timings: [string, number][] = [];

  type Run = { stdout: string; stderr: string; status: number | null; json?: any };
  const label = (args: string[]) => `twinpath ${args.filter((a) => !a.startsWith("/") && !a.startsWith("[")).slice(0, 2).join(" ")}`;
  const check = (args: string[], r: Run, o: { json?: boolean; expectFail?: boolean }): Run => {
    if (!o.expectFail) assert.equal(r.status, 0, `twinpath ${args.join(" ")} exited ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    return { ...r, json: o.json && r.status === 0 ? JSON.parse(r.stdout) : undefined };
  };

  /** `npx twinpath …` in the clone: its stdout (JSON parsed with --json); fails the test on a non-zero exit. */
  function twinpath(args: string[], o: { json?: boolean; expectFail?: boolean } = {}): Run {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: clone, env, encoding: "utf8", timeout: 240_000 });
    timings.push([label(args), Date.now() - t0]);
    return check(args, r, o);
  }

  /** The same in the background (a second terminal), for commands that need not wait for each other. */
  function twinpathAsync(args: string[], o: { json?: boolean } = {}): Promise<Run> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [bin, ...args], { cwd: clone, env, encoding: "utf8", timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        timings.push([label(args), Date.now() - t0]);
        const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
        try {
          resolve(check(args, { stdout, stderr, status }, o));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  before(() => {
    work = mkdtempSync(join(tmpdir(), "twinpath-newuser-"));
    clone = join(work, "twinpath");
    // a fresh clone: the repository's files as git sees them (tracked, and new ones not ignored: what the next commit
    // holds, so the test runs the code being worked on), without artifacts, .twinpath or deployments
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const f of files) {
      const from = join(REPO_ROOT, f);
      if (!existsSync(from)) continue; // deleted in the work tree
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      cpSync(from, join(clone, f));
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    // what `npx twinpath` runs: the package's own bin
    const pkg = JSON.parse(readFileSync(join(clone, "package.json"), "utf8")) as { bin?: Record<string, string> };
    assert.ok(pkg.bin?.twinpath, "package.json names the twinpath bin");
    bin = join(clone, pkg.bin.twinpath);
    env = { ...process.env, TWINPATH_HOME: join(work, "home"), TWINPATH_DEPLOYMENTS_DIR: join(work, "deployments") };
    delete env.TWINPATH_RPC_URL;
    delete env.TWINPATH_PRIVATE_KEY;
    // the user's own model and a few representative inputs
    writeFileSync(join(work, "my-classifier.onnx"), userModel());
    writeFileSync(join(work, "samples.json"), JSON.stringify(SAMPLES));
  });

  after(() => {
    // never leave a stack behind, whatever failed
    if (clone && existsSync(join(work, "home", "dev", "state.json"))) spawnSync(process.execPath, [bin, "dev", "down"], { cwd: clone, env, encoding: "utf8" });
    const total = Date.now() - started;
    console.log(`new-user path: ${(total / 1000).toFixed(1)} s (${timings.map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(", ")})`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("every command the test runs is in the README walk-through", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## From the demo to your own deployment"));
    assert.ok(section.length > 100, "README has the walk-through section");
    for (const c of README_COMMANDS) assert.ok(section.includes(c), `README walk-through shows \`${c}\``);
  });

  it("fresh clone -> dev up -> own model built and registered -> request followed to Settled -> dev down", async () => {
    // 1. the local stack, in one command (compiles the contracts: the clone has none); meanwhile, in a second
    // terminal, the user's model is compiled into a bundle (circuit, keys, manifest)
    const bundle = join(work, "my-bundle");
    const built = twinpathAsync(["model", "build", join(work, "my-classifier.onnx"), "--out", bundle, "--calibration", join(work, "samples.json")]);
    built.catch(() => {}); // awaited in step 3; a failure there is reported there
    const state = (await twinpathAsync(["dev", "up", "--port", "0", "--models", "none", "--json"], { json: true })).json;
    assert.equal(state.status, "up");
    assert.equal(state.nodes.executors.length, 1);
    assert.equal(state.nodes.verifiers.length, 3);
    assert.ok(existsSync(join(work, "deployments", "31337.json")), "dev up writes deployments/<chainId>.json");
    // a second stack from the same home is refused, naming the running one and how to stop it
    const twice = twinpath(["dev", "up", "--port", "0"], { expectFail: true });
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /already running/);
    assert.match(twice.stderr, /twinpath dev down/);

    // 2. the staked nodes, by role name
    const exec = twinpath(["node", "status", state.nodes.executors[0], "--json"], { json: true }).json;
    const executorRole = exec.roles.find((r: { roleName: string }) => r.roleName === "Executor");
    assert.equal(executorRole.registered, true);
    assert.equal(executorRole.eligible, true);

    // 3. the user's model: the bundle built, then registered (domain, tolerance from the bundle; served to the workers)
    await built;
    assert.ok(existsSync(join(bundle, "manifest.json")));
    const reg = twinpath(["model", "register", bundle, "--labels", "low,mid,high", "--json"], { json: true }).json;
    const modelId = reg.modelId as string;
    assert.equal(reg.mode, "ZKML_ATTESTED");
    assert.ok(reg.served, "served to the dev stack's workers");

    // 4. a request, followed live to its settlement: each step with its time, then the decoded answer
    const human = twinpath(["request", "--model", modelId, "--input", JSON.stringify(SAMPLES[0])]).stdout;
    for (const step of ["requested", "result", "proof", "attestation", "settled"]) assert.match(human, new RegExp(`\\+\\d+\\.\\d s\\s+${step}\\s`), `live step ${step}:\n${human}`);
    const answer = /^answer: (low|mid|high) \[.*\] \(settled: verified\)$/m.exec(human);
    assert.ok(answer, `decoded, verified answer:\n${human}`);
    const requestId = /^request #(\d+): Settled \(result after [\d.]+ s, settled after [\d.]+ s\)$/m.exec(human)?.[1];
    assert.ok(requestId, `summary line:\n${human}`);

    // 5. the same request read back later, as JSON
    const st = twinpath(["status", requestId, "--json"], { json: true }).json;
    assert.equal(st.status, "Settled");
    assert.equal(st.modelId, modelId);
    assert.equal(st.answer.label, answer[1]);
    assert.equal(st.answer.verified, true);
    for (const step of ["requested", "result", "proof", "settled"]) assert.ok(st.timeline.some((s: { step: string }) => s.step === step), `timeline has ${step}`);

    // 6. an input outside the model's admitted domain is refused before anything is sent
    const outside = twinpath(["request", "--model", modelId, "--input", "[1000, 0, 0, 0]"], { expectFail: true });
    assert.equal(outside.status, 2);
    assert.match(outside.stderr, /input element 0 is 1000, outside model #\d+'s admitted domain.*Nothing was sent/s);

    // 7. everything stops, nothing is left running
    const down = twinpath(["dev", "down", "--json"], { json: true }).json;
    assert.ok(down.stopped.length >= 8);
    for (const p of state.processes as { pid: number }[]) {
      assert.throws(() => process.kill(p.pid, 0), `pid ${p.pid} stopped`);
    }
    assert.ok(!existsSync(join(work, "home", "dev", "state.json")));
  });
});
