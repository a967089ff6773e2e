/**
 * Devnet helpers for the proof path (tests, demo, bench): a local stack whose model is registered from its EZKL
 * bundle (real artifact hashes, a tolerance from the bundle's accuracy report), prover and verification nodes
 * registered with stake, and their processes. Built on stack.ts; adds, never replaces.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { getAddress, parseEther, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../protocol/abi/generated.js";
import { createChainClient, createSignerClient, type TwinpathPublicClient, type TwinpathWalletClient } from "../workers/chain/client.js";
import { quotePayment, requestIdsFromReceipt, requestInferencesCall } from "../workers/chain/requestInference.js";
import { TxSender } from "../workers/chain/sender/txSender.js";
import { NodeRole } from "../protocol/enums.js";
import { startLocalRedis, type LocalRedis } from "./localRedis.js";
import { loadBundleManifest, manifestToModelSpec } from "../compiler/registration.js";
import type { VerificationModeName } from "../protocol/enums.js";
import { DEVNET_PARAMETERS, deployProtocol } from "./deploy.js";
import { devKey, startHardhatNode } from "./hardhatNode.js";
import { stockModelStore, type FastPathModel, type RegisteredModel } from "./model.js";
import { spawnWorker, type ProofRole, type WorkerProcess } from "./processes.js";
import { Stack, type StackOptions } from "./stack.js";
import { deployVerifierForBundle } from "../halo2/solidity/forBundle.js";

/** Key indices of the Hardhat dev mnemonic used by the proof-path stack. */
export const PROOF_KEYS = { provers: [5, 6, 7], verifiers: [10, 11, 12, 13], requester: 18, outsider: 17 } as const;

/** Protocol parameters for proof-path runs: slashes below the stake (a slashed node stays eligible), short windows. */
export const PROOF_DEVNET_PARAMETERS = {
  Registries: { ...DEVNET_PARAMETERS.Registries },
  // short prover windows (a prover process waits at most a few seconds for its turn, also when a staked prover is
  // offline and wins draws) and attestation windows (verification nodes vote within 30 s; their rewards are
  // claimable after it)
  Hub: { ...DEVNET_PARAMETERS.Hub, minProofTimeout: 10, proverWindow: 5, attestationWindow: 30, executorSlash: 10n ** 16n, proverSlash: 10n ** 16n, verifierSlash: 10n ** 16n },
};

export interface BundleRegistration {
  mode: VerificationModeName;
  /** Another bundle than the stack's own (ProofStack.registerModel; it must be one of the stack's `extraBundleDirs`). */
  bundleDir?: string;
  verifier?: Address;
  price?: bigint;
  tolerance?: bigint;
}

/** Registers the bundle in `dir` with ModelRegistry (manifestToModelSpec: the same mapping as scripts/register-model.ts). */
export async function registerBundleModel(
  wallet: TwinpathWalletClient,
  client: TwinpathPublicClient,
  registry: Address,
  dir: string,
  options: BundleRegistration,
): Promise<RegisteredModel & { tolerance: bigint; manifestHash: Hex }> {
  const loaded = await loadBundleManifest(dir);
  const manifest = loaded.manifest;
  // tolerance and admitted domain come from the bundle; a larger tolerance may be asked for, never a smaller one
  const spec = manifestToModelSpec(loaded, { mode: options.mode, verifier: options.verifier, price: options.price ?? 0n, tolerance: options.tolerance });
  const tolerance = spec.tolerance;
  const hash = await wallet.writeContract({ address: registry, abi: modelRegistryAbi, functionName: "registerModel", args: [spec] });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (!event) throw new Error(`registerModel ${hash}: no ModelRegistered event (status ${receipt.status})`);
  const model: FastPathModel = {
    name: manifest.name,
    onnxPath: join(dir, manifest.files.onnx.path),
    bundleDir: dir,
    inputShape: [...manifest.input.shape],
    outputShape: [...manifest.output.shape],
    inputScale: manifest.input.scale,
    outputScale: manifest.output.scale,
  };
  return { modelId: event.args.modelId, onnxHash: spec.onnxHash, circuitHash: spec.circuitHash, model, tolerance, manifestHash: loaded.manifestHash };
}

/** Registers each key as a node of `role` with `stake`. */
export async function registerNodes(client: TwinpathPublicClient, rpcUrl: string, nodeRegistry: Address, keys: readonly Hex[], role: number, stake = parseEther("1")): Promise<void> {
  for (const key of keys) {
    const w = createSignerClient({ rpcUrl, chainId: client.chain.id, pollingIntervalMs: 20 }, key);
    const hash = await w.writeContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "register", args: [role], value: stake });
    await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  }
}

export type { ProofRole };

export interface ProofStackOptions extends Omit<StackOptions, "model" | "startWorkers"> {
  /** Bundle folder (with pk.key) of the model to register. */
  bundleDir: string;
  /** More bundle folders the provers and verification nodes load (models registered later with registerModel). */
  extraBundleDirs?: readonly string[];
  mode?: VerificationModeName;
  /** Verifier contract for ZKML_ONCHAIN / OPTIMISTIC registrations, or a function deploying one on the new chain. */
  verifier?: Address | ((rpcUrl: string, chainId: number) => Promise<Address>);
  tolerance?: bigint;
  /** Verification nodes registered on chain (processes are started separately). @defaultValue 3 */
  verifierNodes?: number;
  /** Prover nodes registered on chain. @defaultValue 2 */
  proverNodes?: number;
  /** Start listener, sender and executor(s) now. @defaultValue true */
  startFastPath?: boolean;
  /** Extra environment of proof-path processes. */
  proofEnv?: Partial<Record<ProofRole, Record<string, string>>>;
  /** Hub parameters over PROOF_DEVNET_PARAMETERS.Hub (e.g. a longer attestationWindow). */
  hubParameters?: Partial<(typeof PROOF_DEVNET_PARAMETERS)["Hub"]> & Record<string, number | bigint>;
  /**
   * Mine an empty block every this many ms (false: only transactions mine). Prover windows, attestation windows and
   * challenge windows are chain time, which on an automining node moves only with blocks. @defaultValue 1000
   */
  blockTicker?: number | false;
}

/** A fast-path Stack plus the proof path: prover and verifier keys, the bundle, a proof store, their processes. */
export class ProofStack {
  readonly proverKeys: Hex[];
  readonly verifierKeys: Hex[];
  readonly proofStoreDir: string;
  private requestSender: TxSender;

  constructor(
    readonly stack: Stack,
    readonly options: ProofStackOptions,
    readonly tolerance: bigint,
  ) {
    this.proverKeys = PROOF_KEYS.provers.slice(0, options.proverNodes ?? 2).map(devKey);
    this.verifierKeys = PROOF_KEYS.verifiers.slice(0, options.verifierNodes ?? 3).map(devKey);
    this.proofStoreDir = mkdtempSync(join(tmpdir(), "twinpath-proofs-"));
    stack.onCleanup(() => rmSync(this.proofStoreDir, { recursive: true, force: true }));
    const chain = { rpcUrl: stack.node.url, chainId: stack.node.chainId, pollingIntervalMs: 20 };
    this.requestSender = new TxSender({ publicClient: stack.client, walletClient: createSignerClient(chain, devKey(PROOF_KEYS.requester)), pollIntervalMs: 10 });
  }

  get hub(): Address {
    return this.stack.deployment.inferenceHub;
  }

  envFor(role: ProofRole, index = 0): Record<string, string> {
    const s = this.stack;
    const common: Record<string, string> = {
      ...s.commonEnv(this.options.logLevel ?? "info"),
      MODEL_REGISTRY_ADDRESS: s.deployment.modelRegistry,
      BUNDLE_DIRS: [this.options.bundleDir, ...(this.options.extraBundleDirs ?? [])].join(","),
    };
    const own: Record<ProofRole, Record<string, string>> = {
      prover: { PROVER_PRIVATE_KEY: this.proverKeys[index], PROOF_STORE_DIR: this.proofStoreDir, PROVER_WINDOW_POLL_MS: "1000" },
      "verifier-node": { VERIFIER_PRIVATE_KEY: this.verifierKeys[index], VERIFIER_CONFIRMATIONS: "0", VERIFIER_START_BLOCK: String(s.deployment.deployBlock), VERIFIER_POLL_INTERVAL_MS: "100" },
    };
    return { ...common, ...own[role], ...(this.options.proofEnv?.[role] ?? {}) };
  }

  /** Starts a prover (key `index`) or verification node (key `index`) process and waits for its start line. */
  async start(role: ProofRole, index = 0, extraEnv: Record<string, string> = {}, name = `${role}-${index}`): Promise<WorkerProcess> {
    const w = spawnWorker(role, { ...this.envFor(role, index), ...extraEnv }, { name, echo: this.options.echo });
    this.stack.workers.push(w);
    await w.waitForLog((l) => /started$/.test(String(l.msg)), 90_000);
    return w;
  }

  /** Sends requestInference with a fixed-point input (from the proof stack's own requester key). */
  /** `fee` is paid on top of the hub's quote (the model's price and the callback budget). */
  async request(input: readonly bigint[], options: { fee?: bigint; proofTimeout?: number; modelId?: bigint } = {}): Promise<{ requestId: bigint; minedAt: number; gasUsed: bigint }> {
    const modelId = options.modelId ?? this.stack.model.modelId;
    const requestOptions = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 3600, proofTimeout: options.proofTimeout ?? 0 };
    const sent = await this.requestSender.send({
      call: {
        address: this.hub,
        abi: inferenceHubAbi,
        functionName: "requestInference",
        args: [modelId, input, requestOptions],
        value: await quotePayment(this.stack.client, this.hub, modelId, requestOptions, options.fee ?? 0n),
      },
      label: "requestInference",
    });
    const [requestId] = requestIdsFromReceipt(sent.receipt, this.hub);
    if (requestId === undefined) throw new Error(`requestInference ${sent.hash}: no InferenceRequested event`);
    return { requestId, minedAt: sent.minedAt, gasUsed: sent.receipt.gasUsed };
  }

  /**
   * Sends requestInferences: one request per input in one transaction (each item paying the hub's quote plus
   * `fee`); returns them in item order, each with the transaction's wall-clock mined time and its whole gas.
   */
  async requestMany(inputs: readonly (readonly bigint[])[], options: { fee?: bigint; proofTimeout?: number; modelId?: bigint } = {}): Promise<{ requestId: bigint; minedAt: number; gasUsed: bigint }[]> {
    const modelId = options.modelId ?? this.stack.model.modelId;
    const requestOptions = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 3600, proofTimeout: options.proofTimeout ?? 0 };
    const each = await quotePayment(this.stack.client, this.hub, modelId, requestOptions, options.fee ?? 0n);
    const sent = await this.requestSender.send({
      call: requestInferencesCall(this.hub, inputs.map((input) => ({ modelId, input, fee: each, options: requestOptions }))),
      label: "requestInferences",
    });
    const ids = requestIdsFromReceipt(sent.receipt, this.hub);
    if (ids.length !== inputs.length) throw new Error(`requestInferences ${sent.hash}: ${ids.length} InferenceRequested events for ${inputs.length} inputs`);
    return ids.map((requestId) => ({ requestId, minedAt: sent.minedAt, gasUsed: sent.receipt.gasUsed }));
  }

  /**
   * Registers the stack's bundle once more, as another model version with its own mode (and verifier), or another
   * bundle (`options.bundleDir`, one of `extraBundleDirs`, with its own tolerance); its model goes into the
   * executors' model store.
   */
  async registerModel(options: BundleRegistration): Promise<bigint> {
    const s = this.stack;
    const dir = options.bundleDir ?? this.options.bundleDir;
    if (dir !== this.options.bundleDir && !this.options.extraBundleDirs?.includes(dir)) throw new Error(`registerModel: ${dir} is not among the stack's extraBundleDirs (its provers would not load it)`);
    const deployer = createSignerClient({ rpcUrl: s.node.url, chainId: s.node.chainId, pollingIntervalMs: 20 }, devKey(0));
    const m = await registerBundleModel(deployer, s.client, s.deployment.modelRegistry, dir, dir === this.options.bundleDir ? { tolerance: this.tolerance, ...options } : options);
    await stockModelStore(s.modelStoreDir, m.model);
    return m.modelId;
  }

  /**
   * Mines an empty block every `intervalMs` (evm_mine) until the stack stops. An automining dev node only moves its
   * clock when a transaction arrives; a live chain keeps producing blocks, which time windows (the OPTIMISTIC
   * challenge window) rely on.
   */
  startBlockTicker(intervalMs = 1000): () => void {
    const timer = setInterval(() => void this.stack.client.request({ method: "evm_mine" } as never).catch(() => {}), intervalMs);
    const stop = () => clearInterval(timer);
    this.stack.onCleanup(stop);
    return stop;
  }

  /** Waits (up to `timeoutMs`) until the proof window of `requestId` is `prover`'s (the hub draws one per window). */
  async waitForProverWindow(requestId: bigint, prover: Address, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // (a busy node may drop a read: ask again until the deadline)
      const assigned = await this.stack.client
        .readContract({ address: this.hub, abi: inferenceHubAbi, functionName: "assignedProver", args: [requestId] })
        .catch(() => null);
      if (assigned?.toLowerCase() === prover.toLowerCase()) return;
      if (Date.now() > deadline) throw new Error(`request ${requestId}: the proof window is still ${assigned}'s after ${timeoutMs} ms, not ${prover}'s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Polls the request until its status is one of `statuses`; returns the record and when it was seen. */
  async waitForStatus(requestId: bigint, statuses: readonly number[], timeoutMs = 60_000): Promise<{ status: number; seenAt: number }> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    for (;;) {
      last = (await this.stack.client.readContract({ address: this.hub, abi: inferenceHubAbi, functionName: "status", args: [requestId] })) as number;
      if (statuses.includes(last)) return { status: last, seenAt: Date.now() };
      if (Date.now() > deadline) throw new Error(`request ${requestId}: status ${last} after ${timeoutMs} ms, waiting for one of ${statuses.join(", ")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  address(key: Hex): Address {
    return getAddress(privateKeyToAccount(key).address);
  }
}

/**
 * Deploys a bundle's on-chain verifier (halo2/solidity: the shared Halo2Verifier, the model's verifying artifact,
 * its EzklReusableHalo2Adapter) and returns the adapter: the address a ZKML_ONCHAIN / OPTIMISTIC model registers.
 */
export async function deployBundleVerifier(rpcUrl: string, chainId: number, bundleDir: string, log: (l: string) => void = () => {}): Promise<Address> {
  const walletClient = createSignerClient({ rpcUrl, chainId, pollingIntervalMs: 20 }, devKey(16));
  const publicClient = createChainClient({ rpcUrl, chainId, pollingIntervalMs: 20 });
  const d = await deployVerifierForBundle({ walletClient: walletClient as never, publicClient: publicClient as never }, bundleDir);
  log(`on-chain verifier: Halo2Verifier ${d.verifier}, artifact ${d.vka}, adapter ${d.adapter} (${d.gasUsed.toLocaleString("en-US")} gas to deploy)`);
  return d.adapter;
}

/** Starts a local stack (chain, Redis, protocol) with the bundle's model registered for the proof path. */
export async function startProofStack(options: ProofStackOptions): Promise<ProofStack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const step = options.onStep ?? (() => {});
  try {
    step("starting a Hardhat node on loopback");
    const node = await startHardhatNode();
    cleanups.push(() => node.stop());
    let redis: { url: string; local?: LocalRedis };
    const url = options.redisUrl ?? process.env.REDIS_URL;
    step(url ? `using Redis at ${url}` : "starting Redis on a free port");
    if (url) redis = { url };
    else {
      const local = await startLocalRedis({ persistent: options.persistentRedis });
      cleanups.push(() => local.dispose());
      redis = { url: local.url, local };
    }
    const chain = { rpcUrl: node.url, chainId: node.chainId, pollingIntervalMs: 20 };
    const client = createChainClient(chain);
    step("deploying the protocol with Ignition");
    const deployment = await deployProtocol(node.url, { ...PROOF_DEVNET_PARAMETERS, Hub: { ...PROOF_DEVNET_PARAMETERS.Hub, ...options.hubParameters } });
    const deployer = createSignerClient(chain, devKey(0));
    if (typeof options.verifier === "function") step("deploying the model's on-chain Halo2 verifier");
    const verifier = typeof options.verifier === "function" ? await options.verifier(node.url, node.chainId) : options.verifier;
    step(`registering the model from its bundle (${options.mode ?? "ZKML_ATTESTED"})`);
    const model = await registerBundleModel(deployer, client, deployment.modelRegistry, options.bundleDir, {
      mode: options.mode ?? "ZKML_ATTESTED",
      verifier: verifier ?? zeroAddress,
      tolerance: options.tolerance,
    });
    const executorKeys = Array.from({ length: options.executorNodes ?? 1 }, (_, i) => devKey(1 + i));
    step(`staking nodes: ${executorKeys.length} executor, ${options.proverNodes ?? 2} prover, ${options.verifierNodes ?? 3} verification`);
    await registerNodes(client, node.url, deployment.nodeRegistry, executorKeys, NodeRole.Executor);
    const modelStoreDir = mkdtempSync(join(tmpdir(), "twinpath-models-"));
    cleanups.push(() => rmSync(modelStoreDir, { recursive: true, force: true }));
    await stockModelStore(modelStoreDir, model.model);
    const queues = { redisUrl: redis.url, prefix: `tpp-${process.pid}-${randomBytes(3).toString("hex")}` };
    const stack = new Stack(node, redis, deployment, model, client, createSignerClient(chain, devKey(19)), executorKeys, queues, modelStoreDir, undefined, options);
    for (const c of cleanups) stack.onCleanup(c);
    const proof = new ProofStack(stack, options, model.tolerance);
    await registerNodes(client, node.url, deployment.nodeRegistry, proof.proverKeys, NodeRole.Prover);
    await registerNodes(client, node.url, deployment.nodeRegistry, proof.verifierKeys, NodeRole.Verifier);
    if (options.blockTicker !== false) proof.startBlockTicker(options.blockTicker ?? 1000);
    if (options.startFastPath ?? true) {
      step("starting the fast-path workers: listener, executor, sender");
      await stack.startWorkers();
    }
    return proof;
  } catch (err) {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
    throw err;
  }
}
