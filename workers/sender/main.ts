/**
 * Sender process: owns the executor keys (one TxSender + batcher per key) and delivers results from the `submit`
 * queue, batching those ready together; also runs refunds. Run exactly one per set of keys (nonces live here).
 *   node --import tsx workers/sender/main.ts   (env: see workers/config/sender.ts)
 */
import { loadSenderConfig } from "../config/sender.js";
import { createChainClient, createSignerClient } from "../chain/client.js";
import { ResultBatcher } from "../chain/sender/resultBatcher.js";
import { TxSender } from "../chain/sender/txSender.js";
import { defaultJobOptions, openQueue, openWorker } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { checkChainAndAddresses, checkKeysEligible } from "../preflight/checks.js";
import { NodeRole } from "../../protocol/enums.js";
import { runRole } from "../shared/runRole.js";
import { KeyRing } from "./keys.js";
import { createRefundProcessor } from "./refund.js";
import { createSubmitProcessor } from "./submit.js";

await runRole("sender", loadSenderConfig, async ({ config, logger, metrics, queues: ctx, rpc }) => {
  const chain = { rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: 25, connection: rpc, batchSize: config.RPC_BATCH_SIZE };
  const client = createChainClient(chain);
  const { nodeRegistry } = await checkChainAndAddresses("sender", client, config);
  // Every key stays in the ring (an ineligible one may be staked later; the hub refuses it meanwhile), but a sender
  // with no eligible key at all refuses to start.
  const signers = config.SENDER_PRIVATE_KEYS.map((pk) => createSignerClient(chain, pk));
  await checkKeysEligible("sender", client, nodeRegistry, NodeRole.Executor, "SENDER_PRIVATE_KEYS", signers.map((s) => s.account.address), logger);

  const keys = new KeyRing(
    signers.map((walletClient) => {
      const sender = new TxSender({
        publicClient: client,
        walletClient,
        receiptTimeoutMs: config.SENDER_RECEIPT_TIMEOUT_MS,
        feeBumpPercent: config.SENDER_FEE_BUMP_PERCENT,
        maxResends: config.SENDER_MAX_RESENDS,
        logger,
        metrics,
      });
      const batcher = new ResultBatcher({ hub: config.HUB_ADDRESS, sender, publicClient: client, maxBatchSize: config.SENDER_BATCH_MAX_SIZE, maxWaitMs: config.SENDER_BATCH_MAX_WAIT_MS, maxInFlight: config.SENDER_MAX_IN_FLIGHT, maxBatchGas: BigInt(config.SENDER_BATCH_MAX_GAS), logger });
      return { address: sender.address, sender, batcher };
    }),
  );

  const jobOptions = { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) };
  const proveQueue = openQueue(ctx, QueueName.prove, jobOptions);
  const refundQueue = openQueue(ctx, QueueName.refund, jobOptions);
  const submitQueue = openQueue(ctx, QueueName.submit);
  const common = { lockDuration: config.SENDER_LOCK_DURATION_MS, stalledInterval: config.SENDER_STALLED_INTERVAL_MS, maxStalledCount: 2 };
  const submitWorker = openWorker(
    ctx,
    QueueName.submit,
    createSubmitProcessor({ client, keys, proveQueue, refundQueue, logger, metrics, crashAfterSend: config.SENDER_FAULT_CRASH_AFTER_SEND }),
    { concurrency: config.SENDER_CONCURRENCY, ...common },
  );
  const refundWorker = openWorker(ctx, QueueName.refund, createRefundProcessor({ client, keys, logger }), { concurrency: 1, ...common });

  return {
    workers: [submitWorker, refundWorker],
    depth: { name: QueueName.submit, queue: submitQueue },
    started: { keys: keys.keys.map((k) => k.address), batch: config.SENDER_BATCH_MAX_SIZE, waitMs: config.SENDER_BATCH_MAX_WAIT_MS },
    beforeClose: () => {
      for (const k of keys.keys) k.batcher.flush(true);
    },
    close: async () => {
      await Promise.all([proveQueue.close(), refundQueue.close(), submitQueue.close()]);
    },
  };
});
