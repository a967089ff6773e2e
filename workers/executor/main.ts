/**
 * Executor process: runs the registered circuits' forward pass (EZKL witness) for `execute` jobs and hands the
 * outputs to the `submit` queue.
 * Scale it freely (pm2 scale executor N, or more machines on the same Redis): it holds no key and no state.
 *   node --import tsx workers/executor/main.ts   (env: see workers/config/executor.ts)
 */
import { loadExecutorConfig } from "../config/executor.js";
import { createChainClient } from "../chain/client.js";
import { RequestReader } from "../chain/requestReader.js";
import { defaultJobOptions, openQueue, openWorker } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { LocalModelStore } from "../model-store/localStore.js";
import { checkChainAndAddresses } from "../preflight/checks.js";
import { runRole } from "../shared/runRole.js";
import { ModelSpecCache } from "./models.js";
import { CircuitCache, WitnessGroups } from "./circuits.js";
import { createExecuteProcessor } from "./processor.js";

await runRole("executor", loadExecutorConfig, async ({ config, logger, metrics, queues: ctx, rpc }) => {
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, connection: rpc, batchSize: config.RPC_BATCH_SIZE });
  await checkChainAndAddresses("executor", client, config);
  const jobOptions = { defaultJobOptions: defaultJobOptions(config.JOB_ATTEMPTS, config.JOB_BACKOFF_MS) };
  const submitQueue = openQueue(ctx, QueueName.submit, jobOptions);
  const refundQueue = openQueue(ctx, QueueName.refund, jobOptions);
  const executeQueue = openQueue(ctx, QueueName.execute);
  const circuits = new CircuitCache(new LocalModelStore(config.MODEL_STORE_DIR), config.EXECUTOR_SESSION_CACHE);

  const worker = openWorker(
    ctx,
    QueueName.execute,
    createExecuteProcessor({ client, requests: new RequestReader(client), models: new ModelSpecCache(client, config.MODEL_REGISTRY_ADDRESS), circuits, witnesses: new WitnessGroups(), submitQueue, refundQueue, logger, metrics, faultDelayMs: config.EXECUTOR_FAULT_DELAY_MS, faultOutputOffset: config.EXECUTOR_FAULT_OUTPUT_OFFSET }),
    { concurrency: config.EXECUTOR_CONCURRENCY, lockDuration: config.EXECUTOR_LOCK_DURATION_MS, stalledInterval: config.EXECUTOR_STALLED_INTERVAL_MS, maxStalledCount: 2 },
  );

  return {
    workers: [worker],
    depth: { name: QueueName.execute, queue: executeQueue },
    started: { concurrency: config.EXECUTOR_CONCURRENCY, store: config.MODEL_STORE_DIR },
    close: async () => {
      await Promise.all([submitQueue.close(), refundQueue.close(), executeQueue.close()]);
    },
  };
});
