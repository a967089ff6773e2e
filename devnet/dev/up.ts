/**
 * `twinpath dev up` / `dev down`: a local Twinpath stack that keeps running after the command returns. A Hardhat
 * node on loopback, Redis (its own, append-only, or a given one), the protocol deployed with Ignition, executor,
 * prover and verification nodes staked (Hardhat's public test accounts), the demo models registered from their
 * bundles, and the workers (the same entry points pm2 runs) with dev presets: zero confirmations (an automining node
 * mines only on transactions), short polling. Everything started is recorded in `<home>/dev/state.json` as it
 * starts, so `dev down` stops exactly that, even after a half-finished `dev up`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { Redis } from "ioredis";
import { getAddress, parseEther, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { loadBundleManifest, manifestToModelSpec } from "../../compiler/registration.js";
import { DEMO_MODEL_NAMES, demoDataset, ensureDemoBundle } from "../../models/index.js";
import { NodeRole, type NodeRoleName, type VerificationModeName } from "../../protocol/enums.js";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { createChainClient, createSignerClient, type TwinpathPublicClient } from "../../workers/chain/client.js";
import { registerModel } from "../../workers/chain/registerModel.js";
import { registerNode } from "../../workers/chain/staking.js";
import { deployProtocol } from "../deploy.js";
import { devKey, hardhatNodeCommand } from "../hardhatNode.js";
import { redisServerArgs } from "../localRedis.js";
import { freePort } from "../ports.js";
import { NODE_BIN, workerEntry, type WorkerRole } from "../processes.js";
import { PROOF_DEVNET_PARAMETERS, PROOF_KEYS } from "../proofPath.js";
import { isAlive, logSize, portInUse, spawnDaemon, stopDaemon, waitForListening, waitForLogLine, type DaemonSpec } from "./daemon.js";
import { serveBundle } from "./serve.js";
import { devDir, readDevState, removeDevState, writeDevState, type DevModel, type DevProcess, type DevState } from "./state.js";

/** Reports a long step: `step(label)` returns a function to call when it is done (with a short result). */
export interface DevProgress {
  step(label: string): (detail?: string) => void;
  note(line: string): void;
}

export interface DevUpOptions {
  home: string;
  /** chain port on 127.0.0.1; 0 picks a free one. @defaultValue 8545 (where `--network localhost` looks) */
  port?: number;
  /** use this Redis (a fresh queue prefix keeps runs apart) instead of starting one */
  redisUrl?: string;
  /** demo models to register (ZKML_ATTESTED). @defaultValue every demo model */
  models?: readonly string[];
  executors?: number;
  provers?: number;
  verifiers?: number;
  /** start the explorer page. @defaultValue true */
  explorer?: boolean;
  /** its port on 127.0.0.1 (a free one when taken; 0: always a free one). @defaultValue 8090 */
  explorerPort?: number;
  /** stake of each node, wei. @defaultValue 1 ETH */
  stake?: bigint;
  logLevel?: string;
  progress: DevProgress;
}

export class DevStackError extends Error {
  override name = "DevStackError";
}

/** Key indices of Hardhat's test mnemonic the dev stack uses (the devnet's own, see proofPath.ts PROOF_KEYS). */
export const DEV_KEYS = { deployer: 0, executors: [1, 2, 3, 4], provers: [...PROOF_KEYS.provers], verifiers: [...PROOF_KEYS.verifiers] } as const;

const addressOf = (key: Hex): Address => getAddress(privateKeyToAccount(key).address);
/**
 * Prove jobs the dev prover holds at once (one proving thread): a batch version's requests wait together for their
 * batch, so up to this many fill one proof (with the default, PROVER_THREADS, each would be proved alone, padded).
 */
const DEV_PROVER_JOBS = 16;

/** The account that deploys the dev stack and registers its models (and owns them). */
export const devDeployer = (): Address => addressOf(devKey(DEV_KEYS.deployer));

/** Is a Redis at `url` answering? */
async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new DevStackError(`no Redis answers at ${url} (${(err as Error).message}); leave --redis-url out to start one`);
  } finally {
    redis.disconnect();
  }
}

/** Refuses to start over a running stack; clears the state of one whose processes are all gone. */
function checkNotRunning(home: string, progress: DevProgress): void {
  const state = readDevState(home);
  if (!state) return;
  const alive = state.processes.filter(isAlive);
  if (alive.length) {
    throw new DevStackError(
      `a dev stack is already running from ${home} (${alive.map((p) => `${p.name} pid ${p.pid}`).join(", ")}); stop it with \`twinpath dev down\`${state.status === "up" ? ` (chain ${state.rpcUrl})` : ""}`,
    );
  }
  progress.note(`clearing the state of a dev stack that is no longer running (started ${state.startedAt})`);
  removeDevState(home);
}

/** Environment of a worker role on the dev stack: the dev preset. */
function workerEnv(state: DevState, role: WorkerRole, key: Hex | undefined, logLevel: string, extra: Record<string, string> = {}): Record<string, string> {
  const c = state.contracts!;
  const common: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    REDIS_URL: state.redisUrl,
    RPC_URL: state.rpcUrl,
    CHAIN_ID: String(state.chainId),
    HUB_ADDRESS: c.inferenceHub,
    MODEL_REGISTRY_ADDRESS: c.modelRegistry,
    QUEUE_PREFIX: state.queuePrefix,
    LOG_LEVEL: logLevel,
    METRICS_PORT: "0",
  };
  const dev = devDir(state.home);
  const own: Record<WorkerRole, Record<string, string>> = {
    listener: { LISTENER_CONFIRMATIONS: "0", LISTENER_START_BLOCK: String(state.deployBlock), LISTENER_POLL_INTERVAL_MS: "200" },
    executor: { MODEL_STORE_DIR: state.bundlesDir },
    sender: { SENDER_PRIVATE_KEYS: key ?? "" },
    prover: { PROVER_PRIVATE_KEY: key ?? "", BUNDLE_DIRS: state.bundlesDir, PROOF_STORE_DIR: join(dev, "proofs"), PROVING_KEY_CACHE_DIR: join(dev, "keys"), PROVER_THREADS: "1", PROVER_CONCURRENCY: String(DEV_PROVER_JOBS) },
    "verifier-node": {
      VERIFIER_PRIVATE_KEY: key ?? "",
      BUNDLE_DIRS: state.bundlesDir,
      VERIFIER_CONFIRMATIONS: "0",
      VERIFIER_START_BLOCK: String(state.deployBlock),
      VERIFIER_POLL_INTERVAL_MS: "200",
    },
    explorer: {
      NODE_REGISTRY_ADDRESS: c.nodeRegistry,
      EXPLORER_START_BLOCK: String(state.deployBlock),
      EXPLORER_POLL_INTERVAL_MS: "500",
      EXPLORER_PUBLIC_RPC_URL: state.rpcUrl,
      EXPLORER_MODEL_LABELS: JSON.stringify(Object.fromEntries(state.models.filter((m) => m.labels).map((m) => [String(m.modelId), m.labels]))),
    },
  };
  return { ...common, ...own[role], ...extra };
}

/** Starts the dev stack; returns its state (also written to `<home>/dev/state.json`). */
export async function devUp(o: DevUpOptions): Promise<DevState> {
  const { progress, home } = o;
  checkNotRunning(home, progress);
  const dev = devDir(home);
  const logs = join(dev, "logs");
  const bundlesDir = join(dev, "bundles");
  // a new chain: bundles served to the last one, proofs and worker logs belong to that chain
  for (const d of [logs, bundlesDir, join(dev, "proofs"), join(dev, "redis")]) rmSync(d, { recursive: true, force: true });
  for (const d of [logs, bundlesDir, join(dev, "proofs"), join(dev, "redis")]) mkdirSync(d, { recursive: true });
  const logLevel = o.logLevel ?? "info";

  const state: DevState = {
    version: 1,
    status: "starting",
    startedAt: new Date().toISOString(),
    home,
    rpcUrl: "",
    chainId: 31337,
    redisUrl: o.redisUrl ?? "",
    queuePrefix: `twinpath-dev-${randomBytes(3).toString("hex")}`,
    bundlesDir,
    models: [],
    nodes: { executors: [], provers: [], verifiers: [] },
    processes: [],
  };
  const start = (spec: Omit<DaemonSpec, "cwd" | "log">): DevProcess => {
    const p = spawnDaemon({ ...spec, cwd: REPO_ROOT, log: join(logs, `${spec.name}.log`) });
    state.processes.push(p);
    writeDevState(state);
    return p;
  };

  try {
    // 0. the contracts (a fresh clone has no artifacts; an up-to-date build is a no-op)
    let done = progress.step("compiling the contracts");
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    done();

    // 1. the chain
    done = progress.step("starting a Hardhat node");
    const port = o.port === 0 ? await freePort() : (o.port ?? 8545);
    if (await portInUse(port)) throw new DevStackError(`port ${port} on 127.0.0.1 is in use (another hardhat node?): stop it, or pass --port 0 for a free port`);
    const node = hardhatNodeCommand(port);
    const chainProc = start({ name: "chain", kind: "chain", command: node.command, args: node.args, env: node.env });
    state.rpcUrl = `http://127.0.0.1:${port}`;
    writeDevState(state);
    await waitForListening(chainProc, port, 90_000);
    const client = createChainClient({ rpcUrl: state.rpcUrl, chainId: state.chainId, pollingIntervalMs: 50 });
    state.chainId = await client.getChainId();
    // prover, attestation and challenge windows are chain time: a block a second keeps the clock moving
    const ticker = start({ name: "ticker", kind: "ticker", command: NODE_BIN, args: ["--import", "tsx", join(REPO_ROOT, "devnet", "dev", "ticker.ts")], env: { PATH: process.env.PATH, RPC_URL: state.rpcUrl, TICK_MS: "1000" } });
    await waitForLogLine(ticker, (l) => l.msg === "ticker started", 60_000);
    done(`${state.rpcUrl}, a block a second`);

    // 2. Redis
    done = progress.step(o.redisUrl ? "checking Redis" : "starting Redis (append-only, noeviction)");
    if (o.redisUrl) await pingRedis(o.redisUrl);
    else {
      const redisPort = await freePort();
      const redisProc = start({ name: "redis", kind: "redis", command: "redis-server", args: redisServerArgs(redisPort, join(dev, "redis"), true), env: { PATH: process.env.PATH } });
      state.redisUrl = `redis://127.0.0.1:${redisPort}`;
      writeDevState(state);
      await waitForListening(redisProc, redisPort, 20_000);
    }
    done(`${state.redisUrl}, queue prefix ${state.queuePrefix}`);

    // 3. the protocol
    done = progress.step("deploying the protocol with Ignition");
    const d = await deployProtocol(state.rpcUrl, PROOF_DEVNET_PARAMETERS);
    state.contracts = { inferenceHub: d.inferenceHub, modelRegistry: d.modelRegistry, nodeRegistry: d.nodeRegistry, attestationQuorum: d.attestationQuorum };
    state.deployBlock = d.deployBlock;
    writeDevState(state);
    done(`hub ${d.inferenceHub}`);

    // 4. staked nodes
    const stake = o.stake ?? parseEther("1");
    const keys = {
      executors: DEV_KEYS.executors.slice(0, o.executors ?? 1).map(devKey),
      provers: DEV_KEYS.provers.slice(0, o.provers ?? 1).map(devKey),
      verifiers: DEV_KEYS.verifiers.slice(0, o.verifiers ?? 3).map(devKey),
    };
    done = progress.step(`staking ${keys.executors.length} executor, ${keys.provers.length} prover and ${keys.verifiers.length} verification node(s)`);
    const chain = { rpcUrl: state.rpcUrl, chainId: state.chainId, pollingIntervalMs: 50 };
    const roles: [NodeRoleName, Hex[]][] = [["Executor", keys.executors], ["Prover", keys.provers], ["Verifier", keys.verifiers]];
    for (const [role, list] of roles) {
      for (const key of list) await registerNode(createSignerClient(chain, key), client, { nodeRegistry: d.nodeRegistry, role: NodeRole[role], amount: stake });
    }
    state.nodes = { executors: keys.executors.map(addressOf), provers: keys.provers.map(addressOf), verifiers: keys.verifiers.map(addressOf) };
    writeDevState(state);
    done(`${Number(stake) / 1e18} ETH each`);

    // 5. the demo models
    const deployer = createSignerClient(chain, devKey(DEV_KEYS.deployer));
    for (const name of o.models ?? DEMO_MODEL_NAMES) {
      done = progress.step(`registering demo model ${name}`);
      const bundle = await ensureDemoBundle(name, { log: (m) => progress.note(`  ${m}`) });
      const m = await registerDevModel(state, deployer, client, serveBundle(bundle.dir, bundlesDir), "ZKML_ATTESTED", { labels: [...demoDataset(name).classes] });
      done(`model #${m.modelId}`);
    }

    // 6. the workers
    done = progress.step("starting the workers (listener, executor, sender, prover, verification nodes)");
    const workers: { role: WorkerRole; name: string; key?: Hex }[] = [
      { role: "listener", name: "listener" },
      { role: "executor", name: "executor" },
      { role: "sender", name: "sender", key: keys.executors.join(",") as Hex },
      ...keys.provers.map((key, i) => ({ role: "prover" as const, name: `prover-${i}`, key })),
      ...keys.verifiers.map((key, i) => ({ role: "verifier-node" as const, name: `verifier-${i}`, key })),
    ];
    const started = workers.map((w) => {
      const env = workerEnv(state, w.role, w.key, logLevel);
      return start({ name: w.name, kind: "worker", command: NODE_BIN, args: ["--import", "tsx", workerEntry(w.role)], env });
    });
    await Promise.all(started.map((p) => waitForLogLine(p, (l) => /started$/.test(String(l.msg)), 180_000)));
    done(`${started.length} processes`);

    // 7. the explorer page
    if (o.explorer ?? true) {
      done = progress.step("starting the explorer");
      const port = o.explorerPort ?? 8090;
      const free = port === 0 || (await portInUse(port)) ? await freePort() : port;
      if (port !== 0 && free !== port) progress.note(`port ${port} is in use: the explorer takes ${free}`);
      const env = workerEnv(state, "explorer", undefined, logLevel, { EXPLORER_PORT: String(free) });
      const p = start({ name: "explorer", kind: "explorer", command: NODE_BIN, args: ["--import", "tsx", workerEntry("explorer")], env });
      const line = await waitForLogLine(p, (l) => l.msg === "explorer started", 120_000);
      state.explorerUrl = `http://${line.host}:${line.metricsPort}${line.path}`;
      done(state.explorerUrl);
    }

    state.status = "up";
    writeDevState(state);
    return state;
  } catch (err) {
    progress.note("dev up failed: stopping what it started");
    await stopProcesses(state.processes);
    removeDevState(home);
    throw err;
  }
}

/** Registers a bundle (already served) on the dev stack and records it in the state. */
export async function registerDevModel(
  state: DevState,
  wallet: ReturnType<typeof createSignerClient>,
  client: TwinpathPublicClient,
  servedDir: string,
  mode: VerificationModeName,
  extra: { labels?: string[]; verifier?: Address } = {},
): Promise<DevModel> {
  const loaded = await loadBundleManifest(servedDir);
  const spec = manifestToModelSpec(loaded, { mode, verifier: extra.verifier ?? zeroAddress, price: 0n });
  const { modelId } = await registerModel(wallet, client, { modelRegistry: state.contracts!.modelRegistry, spec });
  const model: DevModel = { name: loaded.manifest.name, modelId, mode, bundleDir: servedDir, manifestHash: loaded.manifestHash, labels: extra.labels };
  state.models.push(model);
  writeDevState(state);
  return model;
}

const STOP_ORDER: DevProcess["kind"][] = ["worker", "explorer", "ticker", "redis", "chain"];

/** Stops processes kind by kind (workers first, so they finish in-flight jobs while chain and Redis still run). */
export async function stopProcesses(processes: readonly DevProcess[], onStopped?: (p: DevProcess, how: string) => void): Promise<void> {
  for (const kind of STOP_ORDER) {
    await Promise.all(
      processes
        .filter((p) => p.kind === kind)
        .map(async (p) => {
          const how = await stopDaemon(p, kind === "worker" ? 30_000 : 10_000);
          onStopped?.(p, how);
        }),
    );
  }
}

export interface DevDownResult {
  state?: DevState;
  stopped: { name: string; pid: number; how: string }[];
}

/** Stops the stack started from `home` (exactly the recorded processes) and removes its state file. */
export async function devDown(home: string, onStopped?: (p: DevProcess, how: string) => void): Promise<DevDownResult> {
  const state = readDevState(home);
  if (!state) return { stopped: [] };
  const stopped: DevDownResult["stopped"] = [];
  await stopProcesses(state.processes, (p, how) => {
    stopped.push({ name: p.name, pid: p.pid, how });
    onStopped?.(p, how);
  });
  removeDevState(home);
  if (existsSync(join(devDir(home), "redis"))) rmSync(join(devDir(home), "redis"), { recursive: true, force: true });
  return { state, stopped };
}

/** Each recorded process and whether it still runs. */
export function devStatus(home: string): { state?: DevState; processes: (DevProcess & { alive: boolean })[] } {
  const state = readDevState(home);
  return { state, processes: (state?.processes ?? []).map((p) => ({ ...p, alive: isAlive(p) })) };
}

/** A log's current end (for a wait that must see only new lines). */
export { logSize };
