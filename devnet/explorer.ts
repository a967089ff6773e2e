/**
 * The explorer on a local stack (tests, `twinpath dev up`): explorer/main.ts as a child process pointed at the
 * stack's chain, Redis queues and contracts, the page reading the chain through the node's URL.
 */
import { spawnWorker, type WorkerProcess } from "./processes.js";
import type { Stack } from "./stack.js";

export interface RunningExplorer {
  process: WorkerProcess;
  /** http://127.0.0.1:<port>/explorer/ */
  url: string;
}

/** Starts the explorer for `stack` (on a free port unless EXPLORER_PORT is given) and waits for its start line. */
export async function startExplorer(stack: Stack, env: Record<string, string> = {}): Promise<RunningExplorer> {
  const common = stack.commonEnv();
  const w = spawnWorker(
    "explorer",
    {
      REDIS_URL: common.REDIS_URL,
      RPC_URL: common.RPC_URL,
      CHAIN_ID: common.CHAIN_ID,
      HUB_ADDRESS: common.HUB_ADDRESS,
      QUEUE_PREFIX: common.QUEUE_PREFIX,
      LOG_LEVEL: common.LOG_LEVEL,
      MODEL_REGISTRY_ADDRESS: stack.deployment.modelRegistry,
      NODE_REGISTRY_ADDRESS: stack.deployment.nodeRegistry,
      EXPLORER_PORT: "0",
      EXPLORER_START_BLOCK: String(stack.deployment.deployBlock),
      EXPLORER_POLL_INTERVAL_MS: "250",
      EXPLORER_PUBLIC_RPC_URL: stack.node.url,
      ...env,
    },
    { name: "explorer", echo: stack.options.echo },
  );
  stack.workers.push(w);
  const started = await w.waitForLog((l) => l.msg === "explorer started", 60_000);
  return { process: w, url: `http://${started.host}:${started.metricsPort}${started.path}` };
}
