// @tier slow  @heavy  (worker processes against a real chain: ~1 min)
// Workers that say what is wrong: worker processes started against a dead Redis and a dead RPC, against a real
// Hardhat node with wrong addresses, unstaked keys, unusable bundle folders, a Redis that would lose jobs, and
// confirmations an automining chain never gives. Each case asserts the exit code and the lines an operator reads.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { privateKeyToAccount } from "viem/accounts";
import { devKey } from "../../devnet/hardhatNode.js";
import { startLocalRedis } from "../../devnet/localRedis.js";
import { freePort } from "../../devnet/ports.js";
import { spawnWorker, type WorkerProcess, type WorkerRole } from "../../devnet/processes.js";
import { registerNodes } from "../../devnet/proofPath.js";
import { startStack, type Stack } from "../../devnet/stack.js";
import { committedBundleDir } from "../../models/bundle.js";
import { NodeRole } from "../../protocol/enums.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";

const HUB = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const started = (l: Record<string, unknown>) => /started$/.test(String(l.msg));
/** Every stdout line of a worker is JSON (processes.ts keeps a non-JSON line as { msg } only). */
const nonJson = (w: WorkerProcess) => w.logs.filter((l) => !("level" in l));

async function exitOf(w: WorkerProcess, timeoutMs = 60_000): Promise<number | null> {
  const t = setTimeout(() => w.kill(), timeoutMs);
  const { code } = await w.exited;
  clearTimeout(t);
  return code;
}

describe("unreachable Redis and RPC", { timeout: 120_000 }, () => {
  it("one JSON line each, naming the URL with its credentials masked, then quiet; a line when Redis comes back", async () => {
    const [redisPort, rpcPort] = [await freePort(), await freePort()];
    const w = spawnWorker("listener", {
      REDIS_URL: `redis://worker:redis-secret@127.0.0.1:${redisPort}`,
      RPC_URL: `http://rpc-user:rpc-secret@127.0.0.1:${rpcPort}/v2/AbCdEfGhIjKlMnOpQrSt12`,
      CHAIN_ID: "31337",
      HUB_ADDRESS: HUB,
    });
    const t0 = Date.now();
    try {
      const rpcLine = await w.waitForLog((l) => l.dependency === "rpc", 20_000);
      const rpcAfterMs = Date.now() - t0;
      await w.waitForLog((l) => l.dependency === "redis", 20_000);
      // both clients keep reconnecting with backoff meanwhile: nothing more is said for the first 30 s
      await new Promise((r) => setTimeout(r, 8_000));
      assert.ok(rpcAfterMs < 15_000, `the RPC outage is reported at once, not after 30 s (${rpcAfterMs} ms, process start included)`);
      assert.deepEqual(nonJson(w), [], "every stdout line is JSON");
      assert.equal(w.stderr(), "", "nothing on stderr (no raw stacks)");
      const byDep = (d: string) => w.logs.filter((l) => l.dependency === d);
      assert.equal(byDep("redis").length, 1, JSON.stringify(w.logs));
      assert.equal(byDep("rpc").length, 1, JSON.stringify(w.logs));
      assert.ok(w.logs.length <= 3, `a handful of lines, not hundreds: ${w.logs.length}`);
      const redisLine = byDep("redis")[0];
      assert.equal(redisLine.level, "error");
      assert.equal(redisLine.url, `redis://worker:***@127.0.0.1:${redisPort}`);
      assert.equal(redisLine.variable, "REDIS_URL");
      assert.match(String(redisLine.msg), /^Redis unreachable at redis:\/\/worker:\*\*\*@127\.0\.0\.1:\d+ \(REDIS_URL\): ECONNREFUSED 127\.0\.0\.1:\d+; retrying with backoff$/);
      assert.equal(rpcLine.url, `http://rpc-user:***@127.0.0.1:${rpcPort}/v2/***`);
      assert.match(String(rpcLine.msg), /^RPC unreachable at .* \(RPC_URL\): ECONNREFUSED/);
      const everything = JSON.stringify(w.logs) + w.stderr();
      for (const secret of ["redis-secret", "rpc-secret", "AbCdEfGhIjKlMnOpQrSt12"]) assert.ok(!everything.includes(secret), `${secret} never printed`);

      const redis = await startLocalRedis({ port: redisPort });
      const admin = new Redis(redis.url);
      await admin.call("ACL", "SETUSER", "worker", "on", ">redis-secret", "~*", "&*", "+@all");
      admin.disconnect();
      try {
        const back = await w.waitForLog((l) => /^Redis reachable again/.test(String(l.msg)), 30_000);
        assert.equal(back.level, "info");
      } finally {
        await w.stop(3000);
        await redis.dispose();
      }
    } finally {
      w.kill();
    }
  });
});

describe("start-up checks", { timeout: 600_000 }, () => {
  let stack: Stack;
  let keyDir: string;
  const tmpDirs: string[] = [];
  const workers: WorkerProcess[] = [];
  const spawnFor = (role: WorkerRole, env: Record<string, string>, base: Record<string, string> = stack.commonEnv()) => {
    const w = spawnWorker(role, { ...base, ...env });
    workers.push(w);
    return w;
  };
  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `twinpath-${name}-`));
    tmpDirs.push(d);
    return d;
  };
  before(async () => {
    stack = await startStack({ startWorkers: false, executorNodes: 1 });
    keyDir = tmp("keys");
  });
  after(async () => {
    for (const w of workers) w.kill();
    await stack?.stop();
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  });

  it("a listener whose HUB_ADDRESS is the ModelRegistry, or an address without code, refuses to start and says what it is", async () => {
    const [registry, nowhere] = [
      spawnFor("listener", { HUB_ADDRESS: stack.deployment.modelRegistry }),
      spawnFor("listener", { HUB_ADDRESS: "0x000000000000000000000000000000000000dEaD" }),
    ];
    assert.equal(await exitOf(registry), 78);
    assert.match(registry.stderr(), /Invalid listener configuration: HUB_ADDRESS/);
    assert.match(registry.stderr(), new RegExp(`HUB_ADDRESS: ${stack.deployment.modelRegistry} is the ModelRegistry on chain 31337 .*, not an InferenceHub`));
    assert.equal(await exitOf(nowhere), 78);
    assert.match(nowhere.stderr(), /HUB_ADDRESS: 0x000000000000000000000000000000000000dEaD is an address with no contract code on chain 31337 \(RPC_URL http:\/\/127\.0\.0\.1:\d+\/\), not an InferenceHub \(wrong network/);
  });

  it("an executor whose MODEL_REGISTRY_ADDRESS is not the hub's registry refuses to start", async () => {
    const w = spawnFor("executor", { ...stack.envFor("executor"), MODEL_REGISTRY_ADDRESS: stack.deployment.nodeRegistry });
    assert.equal(await exitOf(w), 78);
    assert.match(w.stderr(), new RegExp(`MODEL_REGISTRY_ADDRESS: ${stack.deployment.nodeRegistry} is the NodeRegistry, not the hub's ModelRegistry: the hub at ${stack.deployment.inferenceHub} uses ${stack.deployment.modelRegistry}`));
  });

  it("a sender with no staked key refuses to start; with one staked key it starts and warns about the other", async () => {
    const unstaked = devKey(15);
    const address = privateKeyToAccount(unstaked).address;
    const none = spawnFor("sender", { ...stack.envFor("sender"), SENDER_PRIVATE_KEYS: unstaked });
    const some = spawnFor("sender", { ...stack.envFor("sender"), SENDER_PRIVATE_KEYS: `${stack.executorKeys[0]},${unstaked}` });
    assert.equal(await exitOf(none), 78);
    assert.match(none.stderr(), new RegExp(`SENDER_PRIVATE_KEYS: ${address} is not an eligible Executor node: it has no stake\\. Stake it with NodeRegistry\\(${stack.deployment.nodeRegistry}\\)\\.register\\(0 /\\* Executor \\*/\\) sending at least 0\\.01 ETH`));
    assert.ok(!none.stderr().includes(unstaked.slice(2)), "the key itself is never printed");
    await some.waitForLog(started, 60_000);
    const warning = some.logs.find((l) => l.variable === "SENDER_PRIVATE_KEYS");
    assert.ok(warning && warning.level === "warn", JSON.stringify(some.logs));
    assert.match(String(warning.msg), new RegExp(`${address} is not an eligible Executor node: it has no stake.*this process goes on with its eligible keys`));
    await some.stop();
  });

  it("a verification node whose key is not staked refuses to start", async () => {
    const w = spawnFor("verifier-node", {
      MODEL_REGISTRY_ADDRESS: stack.deployment.modelRegistry,
      VERIFIER_PRIVATE_KEY: devKey(16),
      BUNDLE_DIRS: committedBundleDir("iris-mlp"),
    });
    assert.equal(await exitOf(w), 78, w.stderr());
    assert.match(w.stderr(), /VERIFIER_PRIVATE_KEY: 0x[0-9a-fA-F]{40} is not an eligible Verifier node: it has no stake/);
  });

  it("a verification node refuses a hub whose AttestationQuorum does not serve it (setHub never called)", async () => {
    // AttestationQuorum storage: EIP712's two fallback strings (slots 0, 1), then `hub` (slot 2)
    const quorum = stack.deployment.attestationQuorum;
    const slot = "0x2";
    const read = () => stack.client.getStorageAt({ address: quorum, slot });
    const wired = await read();
    assert.equal(BigInt(wired ?? 0), BigInt(stack.deployment.inferenceHub), "slot 2 holds the quorum's hub");
    const setHubSlot = (value: string) => stack.client.request({ method: "hardhat_setStorageAt", params: [quorum, slot, value] } as never);
    await setHubSlot(`0x${"0".repeat(64)}`);
    try {
      const w = spawnFor("verifier-node", {
        MODEL_REGISTRY_ADDRESS: stack.deployment.modelRegistry,
        VERIFIER_PRIVATE_KEY: devKey(16),
        BUNDLE_DIRS: committedBundleDir("iris-mlp"),
      });
      assert.equal(await exitOf(w), 78);
      assert.match(w.stderr(), new RegExp(`HUB_ADDRESS: the hub's AttestationQuorum ${quorum} serves no hub yet \\(its admin never called setHub\\): votes sent to it would revert`));
    } finally {
      await setHubSlot(wired!);
    }
    assert.equal(await read(), wired);
  });

  it("a prover refuses BUNDLE_DIRS it cannot use, and derives the proving key a committed bundle lacks", async () => {
    const proverKey = devKey(5);
    await registerNodes(stack.client, stack.node.url, stack.deployment.nodeRegistry, [proverKey], NodeRole.Prover);
    const prover = (bundleDirs: string) =>
      spawnFor("prover", {
        MODEL_REGISTRY_ADDRESS: stack.deployment.modelRegistry,
        PROVER_PRIVATE_KEY: proverKey,
        BUNDLE_DIRS: bundleDirs,
        PROOF_STORE_DIR: tmp("proofs"),
        PROVING_KEY_CACHE_DIR: keyDir,
      });
    const empty = tmp("empty");
    const bad = prover(`/nonexistent/bundles,${empty}`);
    assert.equal(await exitOf(bad), 78);
    assert.match(bad.stderr(), /BUNDLE_DIRS: \/nonexistent\/bundles does not exist/);
    // an empty folder is a warning (a dev stack copies bundles in as models are registered), not a refusal
    assert.doesNotMatch(bad.stderr(), new RegExp(`BUNDLE_DIRS: ${empty}`));
    const waiting = prover(empty);
    const warned = await waiting.waitForLog((l) => String(l.msg).startsWith(`BUNDLE_DIRS: ${empty} holds no model bundle yet`), 60_000);
    assert.equal(warned.level, "warn");
    await waiting.waitForLog(started, 60_000);
    await waiting.stop();

    const committed = committedBundleDir("iris-mlp");
    const good = prover(committed);
    const derived = await good.waitForLog((l) => l.msg === "proving key derived", 240_000);
    assert.equal(derived.bundle, committed);
    assert.ok(String(derived.into).startsWith(keyDir), String(derived.into));
    await good.waitForLog(started, 60_000);
    await good.stop();
    const again = prover(committed);
    await again.waitForLog(started, 60_000);
    assert.ok(!again.logs.some((l) => l.msg === "proving key derived"), "the derived key is reused");
    await again.stop();
  });

  it("warns once when Redis would lose or evict jobs, and not when it is durable", async () => {
    const [loose, durable] = [await startLocalRedis(), await startLocalRedis({ persistent: true })];
    try {
      const r = new Redis(loose.url);
      await r.config("SET", "maxmemory-policy", "allkeys-lru");
      r.disconnect();
      const onLoose = spawnFor("listener", { REDIS_URL: loose.url, LISTENER_CONFIRMATIONS: "0" });
      const onDurable = spawnFor("listener", { REDIS_URL: durable.url, LISTENER_CONFIRMATIONS: "0" });
      await Promise.all([onLoose.waitForLog(started, 60_000), onDurable.waitForLog(started, 60_000)]);
      const warnings = onLoose.logs.filter((l) => /not configured as a durable queue/.test(String(l.msg)));
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].level, "warn");
      assert.match(String(warnings[0].msg), /appendonly is no: a Redis restart loses the queued jobs.*set `appendonly yes`.*maxmemory-policy is allkeys-lru: .*set `maxmemory-policy noeviction`/);
      assert.deepEqual(onDurable.logs.filter((l) => l.level === "warn" || l.level === "error"), []);
      await Promise.all([onLoose.stop(), onDurable.stop()]);
    } finally {
      await Promise.all([loose.dispose(), durable.dispose()]);
    }
  });

  it("the request script, finding no result on a chain that did not move, points at the confirmations", () => {
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "hardhat"), ["run", "scripts/request-inference.ts", "--network", "remote"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TWINPATH_RPC_URL: stack.node.url,
        TWINPATH_DEPLOYER_KEY: devKey(18),
        TWINPATH_HUB: stack.deployment.inferenceHub,
        TWINPATH_MODEL_ID: String(stack.model.modelId),
        TWINPATH_INPUT: "[5.1, 3.5, 1.4, 0.2]",
        TWINPATH_WAIT: "1",
        TWINPATH_WAIT_TIMEOUT_S: "1",
      },
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /Request \d+ is still open after 1 s\./);
    assert.match(r.stderr, /The chain head is still the request's block \d+: .*never\n  confirms it\. Run the workers with LISTENER_CONFIRMATIONS=0 there/);
    assert.doesNotMatch(r.stderr, /are the (executor )?workers running/);
  });

  it("warns when requests wait for confirmations an automining chain never gives", async () => {
    const w = spawnFor("listener", { ...stack.envFor("listener"), LISTENER_CONFIRMATIONS: "2", CONFIRMATION_STALL_WARN_MS: "1500" });
    await w.waitForLog(started, 60_000);
    await stack.request([[5.1, 3.5, 1.4, 0.2]]);
    const warning = await w.waitForLog((l) => l.event === "InferenceRequested", 30_000);
    assert.equal(warning.level, "warn");
    assert.ok(Number(warning.waiting) >= 1, "this request (and the request script's, when it ran) wait");
    assert.match(String(warning.msg), /\d+ InferenceRequested event\(s\) wait for LISTENER_CONFIRMATIONS=2 confirmations, but the chain head \(block \d+\) has not moved for \d+ s: .*set LISTENER_CONFIRMATIONS=0 there/);
    await w.stop();
  });
});
