/**
 * Explorer process: indexes the hub's request events, reads queue depths from Redis and nodes and models from the
 * registries, and serves a page at http://<EXPLORER_HOST>:<EXPLORER_PORT>/explorer/ on its health server (with
 * /health and /metrics), like every role started by runRole.
 *   node --import tsx explorer/main.ts   (env: see explorer/config.ts)
 */
import { assertChainId, createChainClient } from "../workers/chain/client.js";
import { openQueue } from "../workers/queues/connection.js";
import { ALL_QUEUES, QueueName } from "../workers/queues/names.js";
import { retryStartup } from "../workers/shared/runMain.js";
import { runRole } from "../workers/shared/runRole.js";
import { explorerApi } from "./api.js";
import { loadExplorerConfig } from "./config.js";
import { ExplorerIndex } from "./indexer.js";
import { buildExplorerPage, explorerRoute } from "./server.js";

// the explorer's server is its role's health server: EXPLORER_PORT/EXPLORER_HOST are its METRICS_PORT/METRICS_HOST
const loadConfig = (env: NodeJS.ProcessEnv) => {
  const c = loadExplorerConfig(env);
  return { ...c, METRICS_PORT: c.EXPLORER_PORT, METRICS_HOST: c.EXPLORER_HOST };
};

await runRole("explorer", loadConfig, async ({ config, logger, queues: ctx, rpc }) => {
  const client = createChainClient({ rpcUrl: config.RPC_URL, chainId: config.CHAIN_ID, pollingIntervalMs: config.EXPLORER_POLL_INTERVAL_MS, connection: rpc });
  await retryStartup(() => assertChainId(client, config.CHAIN_ID));
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
  let loop: Promise<void> | undefined;
  const follow = async () => {
    while (!stopped) {
      let caughtUp = true;
      try {
        caughtUp = await index.poll();
        if (lastError) logger.info({ block: index.head.toString() }, "explorer reads the chain again");
        lastError = null;
      } catch (err) {
        const message = (err as Error).message?.split("\n")[0] ?? String(err);
        if (message !== lastError) logger.warn({ err: message }, "explorer cannot read the chain; retrying");
        lastError = message;
      }
      // behind the head (first start on a long chain): the next page at once
      if (caughtUp) await new Promise((r) => setTimeout(r, config.EXPLORER_POLL_INTERVAL_MS));
    }
  };

  return {
    depth: { name: QueueName.execute, queue: queues.execute },
    check: () => (lastError ? `chain: ${lastError}` : null),
    route: explorerRoute(page, api, (err, path) => logger.warn({ path, err: (err as Error).message?.split("\n")[0] }, "explorer API error")),
    start: () => void (loop = follow()),
    started: { path: "/explorer/", host: config.EXPLORER_HOST, hub: config.HUB_ADDRESS, chainId: config.CHAIN_ID, startBlock: config.EXPLORER_START_BLOCK },
    beforeClose: async () => {
      stopped = true;
      await loop;
    },
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
});
