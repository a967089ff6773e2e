import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { QueueEvents, type Queue } from "bullmq";
import { parseEther, parseEventLogs, type Abi, type Address, type Hex } from "viem";
import { nodeRegistryAbi, inferenceHubAbi } from "../protocol/abi/generated.js";
import { createChainClient, createSignerClient, type TwinpathPublicClient, type TwinpathWalletClient } from "../workers/chain/client.js";
import { TxSender, type ContractCall, type SendReturnType } from "../workers/chain/sender/txSender.js";
import { quotePayment } from "../workers/chain/requestInference.js";
import { connectionOptions, openQueue, type QueueContext } from "../workers/queues/connection.js";
import { jobId, type SubmitJobData, type SubmitJobResult } from "../workers/queues/jobs.js";
import { QueueName } from "../workers/queues/names.js";
import { formatDeadLetters, listDeadLetters } from "../workers/queues/deadLetters.js";
import { startLocalRedis, type LocalRedis } from "./localRedis.js";
import { deleteQueueKeys } from "./queueKeys.js";
import { deployProtocol, type Deployment } from "./deploy.js";
import { devKey, startHardhatNode, type HardhatNode } from "./hardhatNode.js";
import { demoFastPathModel, registerFastPathModel, stockModelStore, type FastPathModel, type RegisteredModel } from "./model.js";
import { spawnWorker, type FastPathRole, type WorkerProcess } from "./processes.js";
import { startTcpProxy, type TcpProxy } from "./tcpProxy.js";
import { NodeRole } from "../protocol/enums.js";
import { quantize } from "../protocol/fixedPoint.js";

/** Options of a local Twinpath stack (chain + Redis + protocol + workers as separate processes). */
/**
 * msg.value of IrisClassifierConsumer.classify (contracts/examples): the hub's quoteFee for the consumer's request
 * options (`requestOptions()`) at twice the current max fee per gas — the model's price plus the callback budget,
 * whose unused part comes back to the consumer, which passes refunds on to the user who paid — plus `extra`.
 */
export async function exampleConsumerPayment(client: TwinpathPublicClient, hub: Address, modelId: bigint, consumer: { address: Address; abi: Abi }, extra = 0n): Promise<bigint> {
  const options = (await client.readContract({ address: consumer.address, abi: consumer.abi, functionName: "requestOptions" })) as {
    callbackGasLimit: number;
    resultCallback: boolean;
    resultTimeout: number;
    proofTimeout: number;
  };
  return quotePayment(client, hub, modelId, options, extra);
}

/** Dev key of the fast-path stack's stand-in verifier (stake only, no node). */
const FAST_PATH_VERIFIER_KEY = 9;

export interface StackOptions {
  /** Use this Redis; otherwise a redis-server on a free loopback port. @defaultValue process.env.REDIS_URL */
  redisUrl?: string;
  /** Start our own redis-server with AOF persistence (for restart tests). @defaultValue false */
  persistentRedis?: boolean;
  /** Executor nodes registered on chain (keys held by the one sender process). @defaultValue 1 */
  executorNodes?: number;
  /** Executor processes. @defaultValue 1 */
  executorProcesses?: number;
  /** Result batching of the sender. @defaultValue { maxSize: 16, maxWaitMs: 25 } */
  batch?: { maxSize: number; maxWaitMs: number };
  /** Put a pausable TCP proxy between the workers and the chain. @defaultValue false */
  rpcProxy?: boolean;
  /** Extra environment per role. */
  env?: Partial<Record<FastPathRole, Record<string, string>>>;
  /** Start the workers now. @defaultValue true */
  startWorkers?: boolean;
  /** Echo worker logs to this process's stdout. @defaultValue false */
  echo?: boolean;
  model?: FastPathModel;
  logLevel?: string;
  /** Told as each set-up phase begins (the demo shows the steps as they happen). */
  onStep?: (step: string) => void;
  /** Result timeout of the stack's requests, seconds. Long by default: an automining node advances its clock
   * at least one second per block, so a burst of blocks runs chain time ahead of the wall clock. @defaultValue 3600 */
  resultTimeout?: number;
}

export interface SentRequest {
  requestId: bigint;
  txHash: Hex;
  blockNumber: bigint;
  /** wall-clock ms when the request's receipt was seen */
  minedAt: number;
  gasUsed: bigint;
  /** the fixed-point input as the hub emitted it */
  input: readonly bigint[];
}

export interface DeliveredResult {
  requestId: bigint;
  job: SubmitJobData;
  result: SubmitJobResult;
}

export class Stack {
  workers: WorkerProcess[] = [];
  private requestSender: TxSender;
  private cleanups: (() => Promise<void> | void)[] = [];

  constructor(
    readonly node: HardhatNode,
    readonly redis: { url: string; local?: LocalRedis },
    readonly deployment: Deployment,
    readonly model: RegisteredModel,
    readonly client: TwinpathPublicClient,
    readonly requester: TwinpathWalletClient,
    readonly executorKeys: Hex[],
    readonly queues: QueueContext,
    readonly modelStoreDir: string,
    readonly proxy: TcpProxy | undefined,
    readonly options: StackOptions,
  ) {
    this.requestSender = new TxSender({ publicClient: client, walletClient: requester, pollIntervalMs: 10 });
  }

  /** Variables every worker role of this stack takes (Redis, chain, hub, queue prefix, logs, metrics). */
  commonEnv(logLevel = this.options.logLevel ?? "info"): Record<string, string> {
    return {
      REDIS_URL: this.redis.url,
      RPC_URL: this.proxy?.url ?? this.node.url,
      CHAIN_ID: String(this.node.chainId),
      HUB_ADDRESS: this.deployment.inferenceHub,
      QUEUE_PREFIX: this.queues.prefix,
      LOG_LEVEL: logLevel,
      METRICS_PORT: "0",
    };
  }

  /** Environment of a worker role (the same variables pm2 passes). */
  envFor(role: FastPathRole): Record<string, string> {
    const o = this.options;
    const common = this.commonEnv();
    const byRole: Record<FastPathRole, Record<string, string>> = {
      listener: { LISTENER_CONFIRMATIONS: "0", LISTENER_START_BLOCK: String(this.deployment.deployBlock), LISTENER_POLL_INTERVAL_MS: "50", LISTENER_PAGE_SIZE: "500" },
      executor: { MODEL_REGISTRY_ADDRESS: this.deployment.modelRegistry, MODEL_STORE_DIR: this.modelStoreDir, EXECUTOR_CONCURRENCY: "8" },
      sender: {
        SENDER_PRIVATE_KEYS: this.executorKeys.join(","),
        SENDER_BATCH_MAX_SIZE: String(o.batch?.maxSize ?? 16),
        SENDER_BATCH_MAX_WAIT_MS: String(o.batch?.maxWaitMs ?? 25),
        SENDER_CONCURRENCY: "256",
      },
    };
    return { ...common, ...byRole[role], ...(o.env?.[role] ?? {}) };
  }

  startWorker(role: FastPathRole, name?: string, extraEnv: Record<string, string> = {}): WorkerProcess {
    const w = spawnWorker(role, { ...this.envFor(role), ...extraEnv }, { name: name ?? role, echo: this.options.echo });
    this.workers.push(w);
    return w;
  }

  /** listener + N executors + sender, each started and ready. */
  async startWorkers(): Promise<void> {
    const started = [this.startWorker("listener"), this.startWorker("sender")];
    for (let i = 0; i < (this.options.executorProcesses ?? 1); i++) started.push(this.startWorker("executor", `executor-${i}`, { NODE_APP_INSTANCE: String(i) }));
    await Promise.all(started.map((w) => w.waitForLog((l) => /started$/.test(String(l.msg)), 60_000)));
  }

  /** Sends one request per input (float rows, quantised at the model's input scale) from the requester EOA. */
  async request(inputs: number[][], options: { concurrency?: number; fee?: bigint } = {}): Promise<SentRequest[]> {
    const out: SentRequest[] = [];
    const concurrency = options.concurrency ?? inputs.length;
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const row = inputs[next++];
        out.push(await this.requestOne(row, options.fee));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, worker));
    return out;
  }

  /** One request; `fee` is paid on top of the hub's quote (the model's price and the callback budget). */
  async requestOne(row: number[], fee = 0n, raw?: bigint[]): Promise<SentRequest> {
    const input = raw ?? quantize(row, this.model.model.inputScale);
    const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: this.options.resultTimeout ?? 3600, proofTimeout: 0 };
    const value = await quotePayment(this.client, this.deployment.inferenceHub, this.model.modelId, options, fee);
    const sent = await this.requestSender.send({
      call: {
        address: this.deployment.inferenceHub,
        abi: inferenceHubAbi,
        functionName: "requestInference",
        args: [this.model.modelId, input, options],
        value,
      },
      label: "requestInference",
    });
    return this.toSent(sent, "requestInference");
  }

  /**
   * Sends any call that makes a request (e.g. a consumer contract's `classify`) from the requester key, through
   * the stack's one sender for that key (nonce order), and returns the request it created.
   */
  async requestCall(call: ContractCall, label: string): Promise<SentRequest> {
    return this.toSent(await this.requestSender.send({ call, label }), label);
  }

  /**
   * Sends a call that makes many requests in one transaction (a consumer's `classifyBatch`, the hub's
   * `requestInferences`) from the requester key; returns them in item order (`gasUsed` is the whole transaction's).
   */
  async requestBatchCall(call: ContractCall, label: string): Promise<SentRequest[]> {
    return this.toSentAll(await this.requestSender.send({ call, label }), label);
  }

  private toSent(sent: SendReturnType, label: string): SentRequest {
    return this.toSentAll(sent, label)[0];
  }

  private toSentAll(sent: SendReturnType, label: string): SentRequest[] {
    const events = parseEventLogs({ abi: inferenceHubAbi, eventName: "InferenceRequested", logs: sent.receipt.logs }).filter(
      (l) => l.address.toLowerCase() === this.deployment.inferenceHub.toLowerCase(),
    );
    if (!events.length) throw new Error(`${label} ${sent.hash}: no InferenceRequested event (status ${sent.receipt.status})`);
    return events.map((event) => ({ requestId: event.args.requestId, input: event.args.input, txHash: sent.hash, blockNumber: sent.receipt.blockNumber, minedAt: sent.minedAt, gasUsed: sent.receipt.gasUsed }));
  }

  /**
   * Waits until every request's submit job completed with a delivered result (observing the queue through
   * QueueEvents, with a periodic sweep for events missed while Redis was away). Rejects on timeout naming the
   * missing ids.
   */
  async waitForResults(requestIds: bigint[], timeoutMs = 60_000, onProgress?: (done: number, total: number) => void): Promise<Map<bigint, DeliveredResult>> {
    const submitQueue = openQueue(this.queues, QueueName.submit);
    const events = new QueueEvents(QueueName.submit, { connection: connectionOptions(this.queues), prefix: this.queues.prefix });
    const wanted = new Map(requestIds.map((id) => [jobId(QueueName.submit, this.node.chainId, id), id]));
    const done = new Map<bigint, DeliveredResult>();
    const check = async (id: string) => {
      const requestId = wanted.get(id);
      if (requestId === undefined || done.has(requestId)) return;
      const job = await submitQueue.getJob(id);
      if (job?.finishedOn && job.returnvalue?.delivered) {
        done.set(requestId, { requestId, job: job.data, result: job.returnvalue });
        onProgress?.(done.size, wanted.size);
      }
    };
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => {
          clearInterval(sweep);
          const missing = requestIds.filter((id) => !done.has(id));
          void this.diagnostics().then((diag) =>
            reject(new Error(`results missing after ${timeoutMs} ms for ${missing.length} request(s): ${missing.slice(0, 20).join(", ")}\n${diag}`)),
          );
        }, timeoutMs);
        const finish = () => {
          if (done.size === wanted.size) {
            clearTimeout(deadline);
            clearInterval(sweep);
            resolve();
          }
        };
        events.on("completed", ({ jobId: id }) => void check(id).then(finish, () => {}));
        const sweep = setInterval(() => void Promise.all([...wanted.keys()].map((id) => check(id))).then(finish, () => {}), 500);
        void Promise.all([...wanted.keys()].map((id) => check(id))).then(finish, () => {});
      });
      return done;
    } finally {
      await events.close().catch(() => {});
      await submitQueue.close().catch(() => {});
    }
  }

  /** ResultSubmitted and ItemRejected events of the hub since deployment, by request id. */
  async resultEvents(): Promise<{ submitted: Map<bigint, { txHash: Hex; output: readonly bigint[] }[]>; rejected: bigint[] }> {
    const submitted = new Map<bigint, { txHash: Hex; output: readonly bigint[] }[]>();
    const logs = await this.client.getContractEvents({ address: this.deployment.inferenceHub, abi: inferenceHubAbi, eventName: "ResultSubmitted", fromBlock: this.deployment.deployBlock, strict: true });
    for (const l of logs) {
      const list = submitted.get(l.args.requestId) ?? [];
      list.push({ txHash: l.transactionHash, output: l.args.output });
      submitted.set(l.args.requestId, list);
    }
    const rej = await this.client.getContractEvents({ address: this.deployment.inferenceHub, abi: inferenceHubAbi, eventName: "ItemRejected", fromBlock: this.deployment.deployBlock, strict: true });
    return { submitted, rejected: rej.map((l) => l.args.requestId) };
  }

  /** Warnings and errors from every worker plus the dead letters: what to print when a scenario fails. */
  async diagnostics(): Promise<string> {
    const lines: string[] = [];
    for (const w of this.workers) {
      const bad = w.logs.filter((l) => l.level === "warn" || l.level === "error");
      lines.push(`-- ${w.name} (exit ${w.child.exitCode ?? w.child.signalCode ?? "running"}): ${bad.length} warnings/errors`);
      for (const l of bad.length > 10 ? [...bad.slice(0, 5), ...bad.slice(-5)] : bad) lines.push(`   ${JSON.stringify(l)}`);
      if (w.stderr()) lines.push(`   stderr: ${w.stderr().slice(-800)}`);
    }
    lines.push(formatDeadLetters(await listDeadLetters(this.queues).catch(() => [])));
    return lines.join("\n");
  }

  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.stop(5000)));
    if (!this.redis.local) await deleteQueueKeys(this.queues).catch(() => {});
    for (const fn of this.cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
  }
}

/**
 * Starts a Hardhat node, Redis (REDIS_URL or our own), deploys with the Ignition module, registers the demo
 * model and the executor nodes (with stake), stocks a model store, and starts the workers as child processes.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const step = options.onStep ?? (() => {});
  try {
    step("starting a Hardhat node on loopback");
    const node = await startHardhatNode();
    cleanups.push(() => node.stop());
    let redis: { url: string; local?: LocalRedis };
    const url = options.redisUrl ?? (options.persistentRedis ? undefined : process.env.REDIS_URL);
    step(url ? `using Redis at ${url}` : "starting Redis on a free port");
    if (url) redis = { url };
    else {
      const local = await startLocalRedis({ persistent: options.persistentRedis });
      cleanups.push(() => local.dispose());
      redis = { url: local.url, local };
    }
    const proxy = options.rpcProxy ? await startTcpProxy(node.port) : undefined;
    if (proxy) cleanups.push(() => proxy.close());

    const chain = { rpcUrl: node.url, chainId: node.chainId, pollingIntervalMs: 20 };
    const client = createChainClient(chain);
    step("deploying the protocol with Ignition");
    const deployment = await deployProtocol(node.url);
    const deployer = createSignerClient(chain, devKey(0));
    step("registering the model");
    const modelDef = options.model ?? (await demoFastPathModel());
    const model = await registerFastPathModel(deployer, client, deployment.modelRegistry, modelDef);

    const executorKeys = Array.from({ length: options.executorNodes ?? 1 }, (_, i) => devKey(1 + i));
    step(`staking ${executorKeys.length} executor node(s)`);
    const minStake = (await client.readContract({ address: deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "minStake", args: [NodeRole.Executor] })) as bigint;
    for (const key of executorKeys) {
      const w = createSignerClient(chain, key);
      const hash = await w.writeContract({ address: deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "register", args: [NodeRole.Executor], value: minStake > 0n ? minStake : parseEther("0.01") });
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== "success") throw new Error(`NodeRegistry.register(Executor) from ${w.account.address} reverted (${hash})`);
    }
    // The hub takes ZKML_ATTESTED requests only while some verifier stake is eligible (a request nobody could attest
    // would only expire): one verifier registers, although no verification node runs in the fast-path stack.
    {
      const w = createSignerClient(chain, devKey(FAST_PATH_VERIFIER_KEY));
      const stake = (await client.readContract({ address: deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "minStake", args: [NodeRole.Verifier] })) as bigint;
      const hash = await w.writeContract({ address: deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "register", args: [NodeRole.Verifier], value: stake > 0n ? stake : parseEther("0.01") });
      if ((await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).status !== "success") throw new Error(`NodeRegistry.register(Verifier) reverted (${hash})`);
    }
    const eligible = (await client.readContract({ address: deployment.nodeRegistry, abi: nodeRegistryAbi, functionName: "eligibleCount", args: [NodeRole.Executor] })) as bigint;
    if (eligible !== BigInt(executorKeys.length)) throw new Error(`expected ${executorKeys.length} eligible executors, the registry has ${eligible}`);
    const modelStoreDir = mkdtempSync(join(tmpdir(), "twinpath-models-"));
    cleanups.push(() => rmSync(modelStoreDir, { recursive: true, force: true }));
    await stockModelStore(modelStoreDir, modelDef);

    const queues = { redisUrl: redis.url, prefix: `tp-${process.pid}-${randomBytes(3).toString("hex")}` };
    const stack = new Stack(node, redis, deployment, model, client, createSignerClient(chain, devKey(19)), executorKeys, queues, modelStoreDir, proxy, options);
    for (const c of cleanups) stack.onCleanup(c);
    if (options.startWorkers ?? true) {
      step("starting the workers: listener, executor(s), sender");
      await stack.startWorkers();
    }
    return stack;
  } catch (err) {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
    throw err;
  }
}

export type { Address };
