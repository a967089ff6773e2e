/**
 * Explorer process: indexes the hub's request events, reads queue depths from Redis and nodes and models from the
 * registries, and serves a page at http://<EXPLORER_HOST>:<EXPLORER_PORT>/explorer/ (with /health and /metrics on
 * the same port).
 *   node --import tsx explorer/main.ts   (env: see explorer/config.ts)
 */
import { createChainClient, assertChainId } from "../workers/chain/client.js";
import { openQueue } from "../workers/queues/connection.js";
import { ALL_QUEUES } from "../workers/queues/names.js";
import { startHealthServer } from "../workers/shared/httpServer.js";
import { createLogger } from "../workers/shared/logger.js";
import { createMetrics } from "../workers/shared/metrics.js";
import { retryStartup, runMain } from "../workers/shared/runMain.js";
import { onShutdown } from "../workers/shared/shutdown.js";
import { explorerApi } from "./api.js";
import { loadExplorerConfig } from "./config.js";
import { ExplorerIndex } from "./indexer.js";
import { buildExplorerPage, explorerRoute } from "./server.js";

await runMain("explorer", async () => {
  const config = loadExplorerConfig();
  const logger = createLogger("explorer", config.LOG_LEVEL);
  const metrics = createMetrics("explorer");
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: config.EXPLORER_POLL_INTERVAL_MS });
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));
  const ctx = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const queues = Object.fromEntries(ALL_QUEUES.map((name) => [name, openQueue(ctx, name)]));
  const startBlock = BigInt(config.EXPLORER_START_BLOCK);
  const index = new ExplorerIndex(client, { hub: config.HUB_ADDRESS, startBlock, maxRequests: config.EXPLORER_MAX_REQUESTS });
  const api = explorerApi({
    client,
    index,
    chainId: config.CHAIN_ID,
    addresses: { hub: config.HUB_ADDRESS, modelRegistry: config.MODEL_REGISTRY_ADDRESS, nodeRegistry: config.NODE_REGISTRY_ADDRESS },
    startBlock,
    queues,
    publicRpcUrl: config.EXPLORER_PUBLIC_RPC_URL,
    refreshMs: config.EXPLORER_POLL_INTERVAL_MS,
    labels: config.EXPLORER_MODEL_LABELS,
  });
  const page = await buildExplorerPage();

  let lastError: string | null = null;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        await index.poll();
        if (lastError) logger.info({ block: index.head.toString() }, "explorer caught up again");
        lastError = null;
      } catch (err) {
        const message = (err as Error).message?.split("\n")[0] ?? String(err);
        if (message !== lastError) logger.warn({ err: message }, "explorer cannot read the chain; retrying");
        lastError = message;
      }
      await new Promise((r) => setTimeout(r, config.EXPLORER_POLL_INTERVAL_MS));
    }
  })();

  const server = await startHealthServer({
    port: config.EXPLORER_PORT,
    host: config.EXPLORER_HOST,
    registry: metrics.registry,
    route: explorerRoute(page, api, (err, path) => logger.warn({ path, err: (err as Error).message?.split("\n")[0] }, "explorer API error")),
    check: () => (lastError ? `chain: ${lastError}` : null),
  });
  logger.info({ port: server.port, url: `${server.url}/explorer/`, hub: config.HUB_ADDRESS, chainId: config.CHAIN_ID, startBlock: config.EXPLORER_START_BLOCK }, "explorer started");

  onShutdown(logger, async () => {
    stopped = true;
    await loop;
    await Promise.all([...Object.values(queues).map((q) => q.close()), server.close()]);
  });
});
