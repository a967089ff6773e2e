/**
 * Listener process: follows the hub's InferenceRequested events and enqueues execute jobs.
 *   node --import tsx workers/listener/main.ts   (env: see workers/config/listener.ts)
 */
import { loadListenerConfig } from "../config/listener.js";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { createChainClient } from "../chain/client.js";
import { RedisCheckpointStore } from "../chain/follow/checkpoint.js";
import { ConfirmationStallWatch } from "../chain/follow/confirmationStall.js";
import { defaultJobOptions, openQueue } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { redisKeys } from "../queues/keys.js";
import { checkChainAndAddresses } from "../preflight/checks.js";
import { runRole } from "../shared/runRole.js";
import { chainBlockSource } from "./chainSource.js";
import { queueJobSink } from "./queueSink.js";
import { Listener } from "./listener.js";

await runRole("listener", loadListenerConfig, async ({ config, logger, metrics, queues: ctx, redis, rpc }) => {
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: config.LISTENER_POLL_INTERVAL_MS, connection: rpc, batchSize: config.RPC_BATCH_SIZE });
  await checkChainAndAddresses("listener", client, config);
  const queue = openQueue(ctx, QueueName.execute, { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) });
  const submitQueue = openQueue(ctx, QueueName.submit);
  const proveQueue = openQueue(ctx, QueueName.prove);

  const listener = new Listener({
    source: chainBlockSource(client, config.HUB_ADDRESS),
    store: new RedisCheckpointStore(
      redis,
      redisKeys.listenerCheckpoint(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS),
      redisKeys.listenerRecentBlocks(config.QUEUE_PREFIX, config.CHAIN_ID, config.HUB_ADDRESS),
    ),
    sink: queueJobSink({ queue, submitQueue, proveQueue, chainId: config.CHAIN_ID, hub: config.HUB_ADDRESS, logger }),
    confirmations: config.LISTENER_CONFIRMATIONS,
    startBlock: BigInt(config.LISTENER_START_BLOCK),
    pageSize: config.LISTENER_PAGE_SIZE,
    maxBacklog: config.LISTENER_MAX_BACKLOG,
    reorgWindow: config.LISTENER_REORG_WINDOW,
    pollIntervalMs: config.LISTENER_POLL_INTERVAL_MS,
    logger,
    metrics,
  });

  const requested = inferenceHubAbi.find((e) => e.type === "event" && e.name === "InferenceRequested")!;
  const stall = new ConfirmationStallWatch({ client, address: config.HUB_ADDRESS, event: requested, confirmations: config.LISTENER_CONFIRMATIONS, variable: "LISTENER_CONFIRMATIONS", stallMs: config.CONFIRMATION_STALL_WARN_MS, logger });

  let running: Promise<void> | undefined;
  return {
    depth: { name: QueueName.execute, queue },
    start: () => {
      running = listener.run();
      if (config.CONFIRMATION_STALL_WARN_MS > 0) stall.start();
    },
    started: { hub: config.HUB_ADDRESS, chainId: config.CHAIN_ID, confirmations: config.LISTENER_CONFIRMATIONS },
    beforeClose: async () => {
      stall.stop();
      listener.stop();
      await running;
    },
    close: async () => {
      await Promise.all([queue.close(), submitQueue.close(), proveQueue.close()]);
    },
  };
});
