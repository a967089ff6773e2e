/**
 * Prover process: proves executed requests from the `prove` queue with EZKL (PROVER_BACKEND: @ezkljs/engine in worker
 * threads, or native ezkl==21.0.0 in child processes) and submits the proofs (ZKML_ONCHAIN), commitments to them
 * (ZKML_ATTESTED: the hash on chain, the bytes served here) or challenges (OPTIMISTIC) with its own key, and settles
 * unchallenged OPTIMISTIC results from the `settle` queue; serves its proofs over HTTP at GET /proofs/<keccak256> next
 * to /health and /metrics (PROVER_PROOF_STORE_URL is the address the commitments name). Scale with more processes,
 * each with its own key.
 *   node --import tsx workers/prover/main.ts   (env: see workers/config/prover.ts)
 */
import { setPriority } from "node:os";
import { loadProverConfig } from "../config/prover.js";
import { createChainClient, createSignerClient } from "../chain/client.js";
import { RequestReader } from "../chain/requestReader.js";
import { TxSender } from "../chain/sender/txSender.js";
import { defaultJobOptions, openQueue, openWorker } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { checkBundles, checkChainAndAddresses, checkKeysEligible } from "../preflight/checks.js";
import { NodeRole } from "../../protocol/enums.js";
import { runRole } from "../shared/runRole.js";
import { BundleIndex } from "../proofs/bundles.js";
import { startProvingEngine } from "../proofs/engines.js";
import { createProofMetrics } from "../proofs/metrics.js";
import { ProofModelCache } from "../proofs/models.js";
import { proofRoute } from "../proofs/server.js";
import { ProofStore } from "../proofs/store.js";
import { createProveProcessor, createSettleProcessor, type ProverContext } from "./processor.js";
import { createBatchProver, ProofBatches } from "./proofBatches.js";

await runRole("prover", loadProverConfig, async ({ config, logger, metrics, queues: ctx, rpc }) => {
  const proofMetrics = createProofMetrics(metrics.registry);
  // Before the threads or child processes exist: they inherit their creator's nice value, so proving runs below the
  // fast path. The engine starts first: a native backend without its Python package is a config error (exit 78).
  if (config.PROVER_NICE > 0) {
    try {
      setPriority(config.PROVER_NICE);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "could not lower the prover's priority");
    }
  }
  const pool = await startProvingEngine({
    backend: config.PROVER_BACKEND,
    parallel: config.PROVER_THREADS,
    nativeThreads: config.PROVER_NATIVE_THREADS,
    python: config.PROVER_PYTHON,
    taskTimeoutMs: config.PROVER_TASK_TIMEOUT_MS,
    faultPauseMs: config.PROVER_FAULT_NATIVE_PAUSE_MS,
    logger,
  });
  const chain = { rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: 50, connection: rpc };
  const client = createChainClient(chain);
  const { nodeRegistry } = await checkChainAndAddresses("prover", client, config);
  const wallet = createSignerClient(chain, config.PROVER_PRIVATE_KEY);
  await checkKeysEligible("prover", client, nodeRegistry, NodeRole.Prover, "PROVER_PRIVATE_KEY", [wallet.account.address], logger);
  const bundleRoots = checkBundles("prover", config.BUNDLE_DIRS, { variable: "BUNDLE_DIRS", requirePk: true, keyCacheDir: config.PROVING_KEY_CACHE_DIR }, logger);
  const sender = new TxSender({ publicClient: client, walletClient: wallet, logger, metrics });

  const proveQueue = openQueue(ctx, QueueName.prove, { defaultJobOptions: defaultJobOptions(config.PROVER_MAX_ATTEMPTS, config.PROVER_BACKOFF_MS) });
  const settleQueue = openQueue(ctx, QueueName.settle);
  const store = new ProofStore(config.PROOF_STORE_DIR);
  let storeUrl!: (url: string) => void;
  const proofStoreUrl = new Promise<string>((resolve) => (storeUrl = resolve));

  const bundles = new BundleIndex(bundleRoots, { requirePk: true });
  const prover: ProverContext = {
    client,
    requests: new RequestReader(client),
    sender,
    models: new ProofModelCache(client, config.MODEL_REGISTRY_ADDRESS),
    bundles,
    pool,
    store,
    proofStoreUrl,
    settleQueue,
    logger,
    metrics,
    proofMetrics,
    settleOptimistic: config.PROVER_SETTLE_OPTIMISTIC,
    batches: new ProofBatches(
      { waitMs: config.PROVER_BATCH_WAIT_MS, maxWaiting: config.PROVER_BATCH_QUEUE },
      createBatchProver({ bundles, pool, store, sender, maxCallbackGas: config.PROVER_BATCH_MAX_CALLBACK_GAS, proofStoreUrl }),
    ),
    faultDelayMs: config.PROVER_FAULT_DELAY_MS,
    windowPollMs: config.PROVER_WINDOW_POLL_MS,
    logLookup: { pageSize: config.PROOF_LOG_PAGE_SIZE, maxLookback: config.PROOF_LOG_MAX_LOOKBACK },
  };
  const options = { lockDuration: config.PROVER_LOCK_DURATION_MS, stalledInterval: config.PROVER_STALLED_INTERVAL_MS, maxStalledCount: 2 };
  const proveWorker = openWorker(ctx, QueueName.prove, createProveProcessor(prover), { concurrency: config.PROVER_CONCURRENCY, ...options });
  const settleWorker = openWorker(ctx, QueueName.settle, createSettleProcessor(prover), { concurrency: 1, ...options });

  return {
    workers: [proveWorker, settleWorker],
    depth: { name: QueueName.prove, queue: proveQueue },
    route: proofRoute(store),
    start: (server) => storeUrl(config.PROVER_PROOF_STORE_URL ?? server.url),
    started: { address: sender.address, backend: pool.backend, threads: config.PROVER_THREADS, concurrency: config.PROVER_CONCURRENCY, ...pool.describe() },
    close: async () => {
      await Promise.all([pool.close(), proveQueue.close(), settleQueue.close()]);
    },
    // in-flight proofs finish and submit before the process exits (up to two minutes)
    shutdownTimeoutMs: Math.max(15_000, config.PROVER_TASK_TIMEOUT_MS > 120_000 ? 120_000 : config.PROVER_TASK_TIMEOUT_MS),
  };
});
