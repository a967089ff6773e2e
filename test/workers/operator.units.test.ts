// What operators read, checked without a chain: masked URLs, the outage log's one line per outage with backoff,
// the Redis durability verdict, the hub's and quorum's link views against the compiled artifacts, what a node key's
// standing in the NodeRegistry tells the operator to do, and the test tiers.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import { toFunctionSelector, type AbiFunction } from "viem";
import { devKey } from "../../devnet/hardhatNode.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { nextJob, orderJobs } from "../../testkit/runner/schedule.js";
import { classify, parseTags, type Share } from "../../testkit/runner/tiers.js";
import { checkProtocolAddresses, hubLinksAbi, quorumLinksAbi } from "../../workers/preflight/contracts.js";
import type { TwinpathPublicClient } from "../../workers/chain/client.js";
import { registryViewsAbi, standingProblem, type KeyStanding } from "../../workers/preflight/stake.js";
import { NodeRole } from "../../protocol/enums.js";
import { durabilityFromInfo } from "../../workers/preflight/redis.js";
import { OutageLog, isConnectionError } from "../../workers/shared/outage.js";
import { maskUrl, maskUrlsIn } from "../../workers/shared/redact.js";

/** A pino logger writing its JSON lines into an array. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("maskUrl", () => {
  it("masks passwords, lone user names (tokens), query values and key-like path segments; keeps host and port", () => {
    assert.equal(maskUrl("redis://user:s3cret@10.0.0.5:6379/0"), "redis://user:***@10.0.0.5:6379/0");
    assert.equal(maskUrl("redis://:s3cret@10.0.0.5:6379"), "redis://:***@10.0.0.5:6379");
    assert.equal(maskUrl("https://TOKEN123@rpc.example.org/"), "https://***@rpc.example.org/");
    assert.equal(maskUrl("https://eth-mainnet.g.alchemy.com/v2/AbCdEfGhIjKlMnOpQrSt12"), "https://eth-mainnet.g.alchemy.com/v2/***");
    assert.equal(maskUrl("https://rpc.example.org/?apikey=zzz&chain=1"), "https://rpc.example.org/?apikey=***&chain=***");
    assert.equal(maskUrl("http://127.0.0.1:8545"), "http://127.0.0.1:8545/");
    assert.equal(maskUrl("not a url"), "(not a URL)");
  });

  it("masks every URL inside a message", () => {
    const text = 'HTTP request failed.\nURL: https://u:pw@rpc.example.org/v3/0123456789abcdef0123\nRequest body: {"method":"eth_chainId"}';
    const masked = maskUrlsIn(text);
    assert.ok(!masked.includes("pw@") && !masked.includes("0123456789abcdef0123"), masked);
    assert.match(masked, /https:\/\/u:\*\*\*@rpc\.example\.org\/v3\/\*\*\*/);
  });
});

describe("OutageLog", () => {
  it("logs one line per outage, repeats after 30 s, 60 s, 120 s…, and one line when it recovers", () => {
    const { logger, lines } = memoryLogger();
    let now = 0;
    const log = new OutageLog({ logger, dependency: "Redis", variable: "REDIS_URL", url: "redis://u:pw@h:1", now: () => now });
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:1"), { code: "ECONNREFUSED", address: "10.0.0.5", port: 1 });
    // a reconnecting client fails every second for 10 minutes
    for (now = 0; now <= 600_000; now += 1000) log.failed(refused);
    now = 600_000;
    const down = lines.filter((l) => l.dependency === "redis");
    assert.equal(down.length, 1 + 4, "first line, then after 30, 90, 210, 450 s"); // 30 + 60 + 120 + 240 = 450
    assert.equal(down[0].msg, "Redis unreachable at redis://u:***@h:1 (REDIS_URL): ECONNREFUSED 10.0.0.5:1; retrying with backoff");
    assert.deepEqual(
      down.slice(1).map((l) => l.downForS),
      [30, 90, 210, 450],
    );
    assert.equal(log.problem(), "Redis unreachable at redis://u:***@h:1 for 600 s");
    log.recovered();
    assert.match(String(lines.at(-1)!.msg), /^Redis reachable again at redis:\/\/u:\*\*\*@h:1 after 600 s$/);
    assert.equal(log.problem(), null);
    log.recovered();
    assert.equal(lines.length, 6, "recovering twice says it once");
    log.failed(refused);
    assert.equal(lines.length, 7, "a new outage gets its own first line");
    assert.ok(!JSON.stringify(lines).includes("pw"), "the password never appears");
  });

  it("tells connection errors from command errors", () => {
    assert.ok(isConnectionError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })));
    assert.ok(isConnectionError(new Error("Connection is closed.")));
    assert.ok(isConnectionError(new Error("WRONGPASS invalid username-password pair")));
    assert.ok(!isConnectionError(new Error("Missing lock for job 7. moveToFinished")));
  });
});

describe("Redis durability verdict", () => {
  it("wants appendonly and noeviction, and says why", () => {
    const good = durabilityFromInfo("# Persistence\r\naof_enabled:1\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n# Server\r\nredis_version:7.2.4\r\n");
    assert.deepEqual(good.problems, []);
    assert.equal(good.version, "7.2.4");
    const bad = durabilityFromInfo("aof_enabled:0\r\nmaxmemory_policy:allkeys-lru\r\n");
    assert.equal(bad.problems.length, 2);
    assert.match(bad.problems[0], /appendonly is no: a Redis restart loses the queued jobs.*set `appendonly yes`/);
    assert.match(bad.problems[1], /maxmemory-policy is allkeys-lru: .*set `maxmemory-policy noeviction`/);
  });
});

describe("link views", () => {
  const viewsOf = (folder: string, name: string) => {
    const artifact = JSON.parse(readFileSync(join(REPO_ROOT, "artifacts", "contracts", folder, `${name}.sol`, `${name}.json`), "utf8")) as { abi: AbiFunction[] };
    return new Map(artifact.abi.filter((e) => e.type === "function").map((f) => [toFunctionSelector(f), f.outputs.map((o) => o.type).join(",")]));
  };
  const outputs = (f: AbiFunction) => f.outputs.map((o) => o.type).join(",");
  it("models() and nodes() are views of the compiled InferenceHub with these signatures", () => {
    const compiled = viewsOf("hub", "InferenceHub");
    for (const f of hubLinksAbi) assert.equal(compiled.get(toFunctionSelector(f)), "address", `${f.name}() returning an address is in the artifact`);
  });
  it("nodes() and domainSeparator() are views of the compiled AttestationQuorum with these signatures", () => {
    const compiled = viewsOf("verifiers", "AttestationQuorum");
    for (const f of quorumLinksAbi) assert.equal(compiled.get(toFunctionSelector(f)), outputs(f), `${f.name}() is in the artifact`);
  });
  it("isRegistered, unbondingOf and suspendedUntil are views of the compiled NodeRegistry with these signatures", () => {
    const compiled = viewsOf("registry", "NodeRegistry");
    for (const f of registryViewsAbi) assert.equal(compiled.get(toFunctionSelector(f)), outputs(f), `${f.name} is in the artifact`);
  });
});

describe("node key standing", () => {
  const registry = "0x00000000000000000000000000000000000000aa";
  const base: KeyStanding = {
    address: "0x00000000000000000000000000000000000000b1",
    eligible: false,
    registered: true,
    stake: 10n ** 16n,
    minStake: 10n ** 16n,
    unbonding: 0n,
    suspended: false,
    suspendedUntil: 0n,
  };
  const now = 1_800_000_000n;
  it("an unregistered key is told to register with the minimum", () => {
    const m = standingProblem({ ...base, registered: false, stake: 0n }, NodeRole.Executor, registry, now);
    assert.match(m, /is not an eligible Executor node: it has no stake\. Stake it with NodeRegistry\(0x0+aa\)\.register\(0 \/\* Executor \*\/\) sending at least 0\.01 ETH/);
  });
  it("a registered key below the minimum (slashed, or unbonding) is told to top up by the difference, not to register again", () => {
    const m = standingProblem({ ...base, stake: 4n * 10n ** 15n, unbonding: 6n * 10n ** 15n }, NodeRole.Prover, registry, now);
    assert.match(m, /has 0\.004 ETH staked \(0\.006 ETH unbonding does not count\), below the minimum 0\.01 ETH\. Top it up with NodeRegistry\(0x0+aa\)\.increaseStake\(1 \/\* Prover \*\/\) sending at least 0\.006 ETH/);
    assert.doesNotMatch(m, /register\(/);
  });
  it("a suspended verification node is told when it may reinstate itself, or that it may now", () => {
    const until = now + 3600n;
    const waiting = standingProblem({ ...base, suspended: true, suspendedUntil: until }, NodeRole.Verifier, registry, now);
    assert.match(waiting, new RegExp(`is suspended until ${new Date(Number(until) * 1000).toISOString().replace(/\./g, "\\.")} .*silenceLimit.*Wait until .*, then call NodeRegistry\\(0x0+aa\\)\\.reinstate\\(2 /\\* Verifier \\*/\\)`));
    const over = standingProblem({ ...base, suspended: true, suspendedUntil: now - 1n }, NodeRole.Verifier, registry, now);
    assert.match(over, /The suspension is over: call NodeRegistry\(0x0+aa\)\.reinstate\(2 \/\* Verifier \*\/\)/);
  });
  it("a staked key left out after a minimum change is told to resync", () => {
    const m = standingProblem(base, NodeRole.Verifier, registry, now);
    assert.match(m, /not re-checked since the minimum stake changed\. Call NodeRegistry\(0x0+aa\)\.resyncEligibility\(2 \/\* Verifier \*\/, 200\)/);
  });
});

describe("test tiers and scheduling", () => {
  it("takes tags from the leading comments, else the folder's defaults", () => {
    assert.deepEqual(parseTags("// about this file\n// @tier slow\n// @heavy\nimport x from 'y';"), { tier: "slow", share: "heavy" });
    assert.deepEqual(parseTags("const s = '// @tier slow';"), {}, "only comment lines count");
    assert.equal(classify("test/proofpath/onchain.e2e.test.ts", "").share, "heavy");
    assert.equal(classify("test/proofpath/units.test.ts", "").tier, "fast", "a longer prefix wins");
    assert.deepEqual(classify("test/protocol/x.test.ts", "// @tier slow\n"), { tier: "slow", share: "light", source: "tag" });
    assert.deepEqual(classify("test/newfolder/x.test.ts", ""), { tier: "fast", share: "light", source: "default" });
    // the contract tests share one process; a tagged one runs in its own
    assert.equal(classify("test/contracts/hub.x.test.ts", "").group, "test/contracts");
    assert.equal(classify("test/contracts/hub.x.test.ts", "// @tier slow\n").group, undefined);
  });

  it("serial jobs run alone and first, light jobs fill the slots, one heavy job at a time on top of them, longest first", () => {
    const job = (name: string, share: Share, expectedMs: number) => ({ name, share, expectedMs });
    const queue = orderJobs([job("l1", "light", 5), job("h1", "heavy", 50), job("s1", "serial", 1), job("h2", "heavy", 40), job("l2", "light", 60)]);
    assert.deepEqual(queue.map((j) => j.name), ["s1", "l2", "h1", "h2", "l1"]);
    assert.equal(nextJob(queue, [], 2)?.name, "s1");
    assert.equal(nextJob(queue, [job("x", "light", 1)], 2), undefined, "the serial job waits for the machine to empty");
    const rest = queue.slice(1);
    assert.equal(nextJob(rest, [queue[0]], 2), undefined, "nothing joins a serial job");
    assert.equal(nextJob(rest, [], 2)?.name, "l2");
    assert.equal(nextJob(rest, [job("h0", "heavy", 1)], 2)?.name, "l2");
    assert.equal(nextJob(rest.slice(1), [job("h0", "heavy", 1)], 2)?.name, "l1", "a second heavy job waits");
    assert.equal(nextJob(rest.slice(1), [job("l0", "light", 1)], 2)?.name, "h1");
    // light jobs fill the slots; one heavy job runs on top of them
    assert.equal(nextJob(rest.slice(1), [job("h0", "heavy", 1), job("l0", "light", 1)], 2)?.name, "l1", "a light job joins a heavy one and a light one");
    assert.equal(nextJob(rest.slice(1), [job("h0", "heavy", 1), job("a", "light", 1), job("b", "light", 1)], 2), undefined, "the light slots are full and a heavy job runs");
    assert.equal(nextJob(rest, [job("a", "light", 1), job("b", "light", 1)], 2)?.name, "h1", "a heavy job joins full light slots");
    assert.equal(nextJob(rest.filter((j) => j.share === "light"), [job("a", "light", 1), job("b", "light", 1)], 2), undefined, "no free light slot");
  });
});

describe("pm2 presets", () => {
  const require = createRequire(import.meta.url);
  const { ecosystem } = require("../../workers/pm2/ecosystem.cjs") as {
    ecosystem: (preset: string, env: Record<string, string | undefined>) => { apps: { name: string; script: string; interpreter: string; instances: number; stop_exit_codes: number[]; env: Record<string, string> }[] };
  };
  const addresses = {
    HUB_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    MODEL_REGISTRY_ADDRESS: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    NODE_REGISTRY_ADDRESS: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  };
  const byName = <A extends { name: string }>(apps: A[]) => new Map(apps.map((a) => [a.name, a]));

  it("dev: zero confirmations, local URLs, the devnet's staked accounts, one verification node per key; the environment wins", () => {
    const { apps } = ecosystem("dev", { ...addresses, CHAIN_ID: "31337", EXECUTOR_INSTANCES: "1" });
    const a = byName(apps);
    assert.deepEqual([...a.keys()], ["listener", "executor", "sender", "prover", "verifier", "explorer"]);
    const env = apps[0].env;
    assert.deepEqual([env.LISTENER_CONFIRMATIONS, env.VERIFIER_CONFIRMATIONS, env.RPC_URL, env.REDIS_URL], ["0", "0", "http://127.0.0.1:8545", "redis://127.0.0.1:6379"]);
    assert.equal(env.SENDER_PRIVATE_KEYS, devKey(1));
    assert.equal(env.PROVER_PRIVATE_KEY, devKey(5));
    assert.equal(a.get("verifier")!.instances, 3);
    assert.equal(a.get("executor")!.instances, 1);
    for (const app of apps) {
      assert.ok(existsSync(join(REPO_ROOT, app.script)), app.script);
      assert.deepEqual(app.stop_exit_codes, [78], "a refused configuration is not restarted");
    }
    assert.deepEqual(apps.slice(0, 5).map((x) => x.env.METRICS_PORT), ["9460", "9470", "9480", "9490", "9500"]);
    const mine = ecosystem("dev", { ...addresses, LISTENER_CONFIRMATIONS: "3", REDIS_URL: "redis://10.0.0.5:6379" });
    assert.deepEqual([mine.apps[0].env.LISTENER_CONFIRMATIONS, mine.apps[0].env.REDIS_URL], ["3", "redis://10.0.0.5:6379"]);
    assert.throws(() => ecosystem("dev", { ...addresses, CHAIN_ID: "8453" }), /SENDER_PRIVATE_KEYS \(sender\)/, "test accounts only on the local chain");
  });

  it("prod: refuses to load naming every missing variable; with them set it keeps the workers' confirmations", () => {
    assert.throws(() => ecosystem("prod", {}), (err: Error) => {
      for (const v of ["REDIS_URL", "RPC_URL", "CHAIN_ID", "HUB_ADDRESS", "MODEL_REGISTRY_ADDRESS", "MODEL_STORE_DIR", "SENDER_PRIVATE_KEYS"]) assert.match(err.message, new RegExp(`\\n  ${v} \\(`));
      assert.match(err.message, /PROVER_PRIVATE_KEY/);
      return true;
    });
    const full = { ...addresses, NODE_REGISTRY_ADDRESS: undefined, REDIS_URL: "redis://r:6379", RPC_URL: "https://rpc", CHAIN_ID: "8453", MODEL_STORE_DIR: "/srv/models", SENDER_PRIVATE_KEYS: `0x${"11".repeat(32)}` };
    const { apps } = ecosystem("prod", full);
    assert.deepEqual(apps.map((a) => a.name), ["listener", "executor", "sender"], "no key, no proof-path role");
    assert.equal(apps[0].env.LISTENER_CONFIRMATIONS, undefined, "the workers' default (2) applies");
    assert.throws(() => ecosystem("prod", { ...full, PROVER_PRIVATE_KEY: `0x${"22".repeat(32)}` }), /BUNDLE_DIRS \(prover\).*\n  PROOF_STORE_DIR \(prover\)/s);
  });
});

describe("preflight: the hub's contract views", () => {
  /** A chain with an InferenceHub at 0x…01 answering the probes; `grouped`: whether it has getRequests. */
  const chainWith = (grouped: boolean) =>
    ({
      getCode: async () => "0x6080",
      readContract: async ({ functionName }: { functionName: string }) => {
        if (functionName === "getRequests") return grouped ? [] : Promise.reject(new Error("execution reverted"));
        if (["requestCount", "accountedBalance"].includes(functionName)) return 0n;
        if (["models", "nodes", "attestationQuorum"].includes(functionName)) return "0x0000000000000000000000000000000000000002";
        return Promise.reject(new Error(`no ${functionName}`));
      },
    }) as unknown as TwinpathPublicClient;
  const hub = "0x0000000000000000000000000000000000000001" as const;

  it("names a hub from before getRequests (the workers read requests in groups) and takes one that has it", async () => {
    const old = await checkProtocolAddresses(chainWith(false), { hub }, "chain 31337");
    assert.equal(old.problems.length, 1);
    assert.equal(old.problems[0].variable, "HUB_ADDRESS");
    assert.match(old.problems[0].message, /predates getRequests\(uint256\[\]\).*redeploy/);
    assert.deepEqual((await checkProtocolAddresses(chainWith(true), { hub }, "chain 31337")).problems, []);
  });
});
