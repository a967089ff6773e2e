/**
 * Verification node (the HACA "full node"): follows ProofSubmitted events with its own checkpoint, verifies each
 * published proof off-chain against the registered verifying key with instances it rebuilds from the request
 * (never re-running the model), signs one EIP-712 root per batch of verdicts (VERIFIER_ATTESTATION_MODE=single: one
 * signature per verdict), settles the requests whose quorum its own vote decided with settleMany (the other voters
 * settle them only if it has not after VERIFIER_SETTLE_GRACE_MS) and claims its rewards. Run
 * several, each with its own key; each has its own `verify` and `claim` queues under `<QUEUE_PREFIX>.vn-<address
 * prefix>`.
 *   node --import tsx workers/verifier-node/main.ts   (env: see workers/config/verifierNode.ts)
 */
import { loadVerifierNodeConfig } from "../config/verifierNode.js";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { NodeRole } from "../../protocol/enums.js";
import { createChainClient, createSignerClient } from "../chain/client.js";
import { RequestReader } from "../chain/requestReader.js";
import { ConfirmationStallWatch } from "../chain/follow/confirmationStall.js";
import { TxSender } from "../chain/sender/txSender.js";
import { defaultJobOptions, openQueue, openWorker } from "../queues/connection.js";
import { redisKeys, verifierQueuePrefix } from "../queues/keys.js";
import { QueueName } from "../queues/names.js";
import { checkBundles, checkChainAndAddresses, checkKeysEligible } from "../preflight/checks.js";
import { runRole } from "../shared/runRole.js";
import { BundleIndex } from "../proofs/bundles.js";
import { EnginePool } from "../proofs/enginePool.js";
import { createProofMetrics } from "../proofs/metrics.js";
import { ProofModelCache } from "../proofs/models.js";
import { AttestationBatcher } from "./attestationBatcher.js";
import { SettleBatcher } from "./settleBatcher.js";
import { ProofVerifier } from "./backends.js";
import { ProofFollower, chainProofSource, legacyResumeBlock, verifierCheckpointStore } from "./follower.js";
import { createClaimProcessor, createVerifyProcessor } from "./processor.js";

await runRole("verifier-node", loadVerifierNodeConfig, async ({ config, logger: roleLogger, metrics, queues, redis, rpc }) => {
  const chain = { rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: 50, connection: rpc };
  const wallet = createSignerClient(chain, config.VERIFIER_PRIVATE_KEY);
  const address = wallet.account.address;
  const logger = roleLogger.child({ node: address });
  const proofMetrics = createProofMetrics(metrics.registry);
  const client = createChainClient(chain);
  // votes go to the hub's AttestationQuorum (also the EIP-712 verifying contract of attestations), checked to serve this hub
  const { nodeRegistry, attestationQuorum: quorum } = await checkChainAndAddresses("verifier-node", client, config, { quorum: true });
  await checkKeysEligible("verifier-node", client, nodeRegistry, NodeRole.Verifier, "VERIFIER_PRIVATE_KEY", [address], logger);
  const bundleRoots = checkBundles("verifier-node", config.BUNDLE_DIRS, { variable: "BUNDLE_DIRS", requirePk: false }, logger);
  const sender = new TxSender({ publicClient: client, walletClient: wallet, logger, metrics });
  const batching = { mode: config.VERIFIER_ATTESTATION_MODE, maxBatchSize: config.VERIFIER_BATCH_MAX_SIZE, maxWaitMs: config.VERIFIER_BATCH_MAX_WAIT_MS, logger };
  const batcher = new AttestationBatcher({ quorum, chainId: config.CHAIN_ID, wallet, sender, ...batching });
  const settler = new SettleBatcher({ hub: config.HUB_ADDRESS, publicClient: client, sender, ...batching });

  const ctx = { ...queues, prefix: verifierQueuePrefix(config.QUEUE_PREFIX, address) };
  const queue = openQueue(ctx, QueueName.verify, { defaultJobOptions: defaultJobOptions(config.VERIFIER_MAX_ATTEMPTS, config.VERIFIER_BACKOFF_MS) });
  const claimQueue = openQueue(ctx, QueueName.claim);
  const pool = new EnginePool({ threads: config.VERIFIER_THREADS });
  const node = {
    client,
    quorum,
    wallet,
    sender,
    batcher,
    settler,
    verifyQueue: queue,
    requests: new RequestReader(client),
    settleGraceMs: config.VERIFIER_SETTLE_GRACE_MS,
    models: new ProofModelCache(client, config.MODEL_REGISTRY_ADDRESS),
    bundles: new BundleIndex(bundleRoots, { requirePk: false }),
    verifier: new ProofVerifier(config.VERIFIER_BACKEND, pool),
    claimRewards: config.VERIFIER_CLAIM_REWARDS,
    claimQueue,
    logLookup: { pageSize: config.PROOF_LOG_PAGE_SIZE, maxLookback: config.PROOF_LOG_MAX_LOOKBACK },
    proofFetch: {
      timeoutMs: config.VERIFIER_FETCH_TIMEOUT_MS,
      attempts: config.VERIFIER_FETCH_ATTEMPTS,
      backoffMs: config.VERIFIER_FETCH_BACKOFF_MS,
      maxBytes: config.VERIFIER_PROOF_MAX_BYTES,
      sources: config.VERIFIER_PROOF_SOURCES,
    },
    logger,
    metrics,
    proofMetrics,
  };
  const options = { lockDuration: config.VERIFIER_LOCK_DURATION_MS, stalledInterval: config.VERIFIER_STALLED_INTERVAL_MS, maxStalledCount: 2 };
  const verifyWorker = openWorker(ctx, QueueName.verify, createVerifyProcessor(node), { concurrency: config.VERIFIER_CONCURRENCY, ...options });
  const claimWorker = openWorker(ctx, QueueName.claim, createClaimProcessor(node), { concurrency: 1, ...options });

  const checkpointKey = redisKeys.verifierCheckpoint(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS, address);
  const store = verifierCheckpointStore(redis, checkpointKey);
  const follower = new ProofFollower({
    source: chainProofSource(client, config.HUB_ADDRESS),
    store,
    queue,
    chainId: config.CHAIN_ID,
    hub: config.HUB_ADDRESS,
    startBlock: (await store.load()) ? BigInt(config.VERIFIER_START_BLOCK) : await legacyResumeBlock(redis, checkpointKey, BigInt(config.VERIFIER_START_BLOCK)),
    confirmations: config.VERIFIER_CONFIRMATIONS,
    pageSize: config.VERIFIER_PAGE_SIZE,
    reorgWindow: config.VERIFIER_REORG_WINDOW,
    pollIntervalMs: config.VERIFIER_POLL_INTERVAL_MS,
    logger,
  });

  const proofSubmitted = inferenceHubAbi.find((e) => e.type === "event" && e.name === "ProofSubmitted")!;
  const stall = new ConfirmationStallWatch({ client, address: config.HUB_ADDRESS, event: proofSubmitted, confirmations: config.VERIFIER_CONFIRMATIONS, variable: "VERIFIER_CONFIRMATIONS", stallMs: config.CONFIRMATION_STALL_WARN_MS, logger });

  return {
    logger,
    workers: [verifyWorker, claimWorker],
    depth: { name: QueueName.verify, queue },
    start: () => {
      follower.start();
      if (config.CONFIRMATION_STALL_WARN_MS > 0) stall.start();
    },
    started: { address, backend: config.VERIFIER_BACKEND, attestationMode: config.VERIFIER_ATTESTATION_MODE, queuePrefix: ctx.prefix },
    beforeClose: async () => {
      stall.stop();
      await follower.stop();
      batcher.flush();
      settler.flush();
    },
    close: async () => {
      await Promise.all([pool.close(), queue.close(), claimQueue.close()]);
    },
  };
});
