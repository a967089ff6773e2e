/**
 * Verification node (the HACA "full node"): follows ProofSubmitted events with its own checkpoint, verifies each
 * published proof off-chain against the registered verifying key with instances it rebuilds from the request
 * (never re-running the model), and submits signed EIP-712 attestations in batches. Run several, each with its own
 * key; each has its own `verify` queue under `<QUEUE_PREFIX>.vn-<address prefix>`.
 *   node --import tsx workers/verifier-node/main.ts   (env: see workers/config/verifierNode.ts)
 */
import { Worker } from "bullmq";
import { loadVerifierNodeConfig } from "../config/verifierNode.js";
import { assertChainId, createChainClient, createSignerClient } from "../chain/client.js";
import { TxSender } from "../chain/sender/txSender.js";
import { createRedis, defaultJobOptions, openQueue, workerOptions } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { createLogger } from "../shared/logger.js";
import { createMetrics } from "../shared/metrics.js";
import { onShutdown } from "../shared/shutdown.js";
import { retryStartup, runMain } from "../shared/runMain.js";
import { BundleIndex } from "../proofs/bundles.js";
import { EnginePool } from "../proofs/enginePool.js";
import { createProofMetrics } from "../proofs/metrics.js";
import { ProofModelCache } from "../proofs/models.js";
import { startProofServer } from "../proofs/server.js";
import { AttestationBatcher } from "./attestationBatcher.js";
import { ProofVerifier } from "./backends.js";
import { ProofFollower, chainProofSource, legacyResumeBlock, verifierCheckpointKey, verifierCheckpointStore, verifierQueuePrefix } from "./follower.js";
import { createVerifyProcessor } from "./processor.js";

await runMain("verifier-node", async () => {
  const config = loadVerifierNodeConfig();
  const chain = { rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: 50 };
  const wallet = createSignerClient(chain, config.VERIFIER_PRIVATE_KEY);
  const address = wallet.account.address;
  const logger = createLogger("verifier-node", config.LOG_LEVEL).child({ node: address });
  const metrics = createMetrics("verifier-node");
  const proofMetrics = createProofMetrics(metrics.registry);
  const client = createChainClient(chain);
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));
  const sender = new TxSender({ publicClient: client, walletClient: wallet, logger, metrics });
  const batcher = new AttestationBatcher({ hub: config.HUB_ADDRESS, sender, maxBatchSize: config.VERIFIER_BATCH_MAX_SIZE, maxWaitMs: config.VERIFIER_BATCH_MAX_WAIT_MS, logger });

  const ctx = { redisUrl: config.REDIS_URL, prefix: verifierQueuePrefix(config.QUEUE_PREFIX, address) };
  const queue = openQueue(ctx, QueueName.verify, { defaultJobOptions: defaultJobOptions(config.VERIFIER_MAX_ATTEMPTS, config.VERIFIER_BACKOFF_MS) });
  const redis = createRedis(ctx);
  const pool = new EnginePool({ threads: config.VERIFIER_THREADS });
  const verifier = new ProofVerifier(config.VERIFIER_BACKEND, pool);
  const models = new ProofModelCache(client, config.MODEL_REGISTRY_ADDRESS);
  const bundles = new BundleIndex(config.BUNDLE_DIRS, { requirePk: false });

  const worker = new Worker(
    QueueName.verify,
    createVerifyProcessor({ client, wallet, sender, batcher, models, bundles, verifier, claimRewards: config.VERIFIER_CLAIM_REWARDS, queue, logLookup: { pageSize: config.PROOF_LOG_PAGE_SIZE, maxLookback: config.PROOF_LOG_MAX_LOOKBACK }, logger, metrics, proofMetrics }),
    workerOptions(ctx, {
      concurrency: config.VERIFIER_CONCURRENCY,
      lockDuration: config.VERIFIER_LOCK_DURATION_MS,
      stalledInterval: config.VERIFIER_STALLED_INTERVAL_MS,
      maxStalledCount: 2,
    }),
  );
  worker.on("failed", (job, err) => logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "job failed"));
  worker.on("error", (err) => logger.error({ err: err.message }, "worker error"));

  const checkpointKey = verifierCheckpointKey(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS, address);
  const store = verifierCheckpointStore(redis, checkpointKey);
  const follower = new ProofFollower({
    source: chainProofSource(client, config.HUB_ADDRESS),
    store,
    queue: queue as never,
    chainId: config.CHAIN_ID,
    hub: config.HUB_ADDRESS,
    startBlock: (await store.load()) ? BigInt(config.VERIFIER_START_BLOCK) : await legacyResumeBlock(redis, checkpointKey, BigInt(config.VERIFIER_START_BLOCK)),
    confirmations: config.VERIFIER_CONFIRMATIONS,
    pageSize: config.VERIFIER_PAGE_SIZE,
    reorgWindow: config.VERIFIER_REORG_WINDOW,
    pollIntervalMs: config.VERIFIER_POLL_INTERVAL_MS,
    logger,
  });

  const server = await startProofServer({
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
    registry: metrics.registry,
    check: async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: QueueName.verify, state }, n);
      return worker.isRunning() ? null : "worker not running";
    },
  });
  await worker.waitUntilReady();
  follower.start();
  logger.info({ metricsPort: server.port, address, backend: config.VERIFIER_BACKEND, queuePrefix: ctx.prefix }, "verifier-node started");

  onShutdown(logger, async () => {
    await follower.stop();
    batcher.flush();
    await worker.close();
    await Promise.all([pool.close(), queue.close(), server.close()]);
    redis.disconnect();
  });
});

