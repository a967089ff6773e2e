import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createRedis, type QueueContext } from "../queues/connection.js";
import type { QueueName } from "../queues/names.js";
import { checkRedisDurability } from "../preflight/redis.js";
import { errorMessage } from "./errors.js";
import { startHealthServer, type HealthServerOptions } from "./httpServer.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics, type WorkerMetrics } from "./metrics.js";
import { OutageLog, isConnectionError, type ConnectionEvents } from "./outage.js";
import { runMain } from "./runMain.js";
import { onShutdown } from "./shutdown.js";

/** The variables runRole itself reads (workers/config/common.ts). */
export interface RoleConfig {
  LOG_LEVEL: string;
  METRICS_PORT: number;
  METRICS_HOST: string;
  REDIS_URL: string;
  RPC_URL: string;
  QUEUE_PREFIX: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- any queue's or worker's job types (queues/connection.ts types them per queue) */
type AnyWorker = Worker<any, any, any>;
type AnyQueue = Queue<any, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** What a role's setup hands to runRole. */
export interface RoleParts {
  /** The role's BullMQ workers: failures are logged, /health fails when one stops, shutdown closes them. */
  workers?: AnyWorker[];
  /** The queue whose depth /health refreshes into twinpath_queue_depth. */
  depth: { name: QueueName; queue: AnyQueue };
  /** A further health problem (e.g. the Redis connection), or null. */
  check?: () => string | null;
  /** Extra GET routes of the role's HTTP server (the prover's /proofs/<hash>). */
  route?: HealthServerOptions["route"];
  /** Runs once the workers are ready and the HTTP server listens (a follower loop; the prover's store URL). */
  start?: (server: { port: number; url: string }) => void;
  /** Fields of the "<role> started" log line. */
  started?: Record<string, unknown>;
  /** Before the workers close: stop taking work (follower loops) and flush batches. */
  beforeClose?: () => Promise<void> | void;
  /** After the workers closed (in-flight jobs finished or handed back): release queues, pools, connections. */
  close: () => Promise<void>;
  /** How long shutdown may take before the process exits anyway. @defaultValue 15_000 */
  shutdownTimeoutMs?: number;
  /** The logger of the role's own lines, when setup narrowed it (e.g. with the node's address). */
  logger?: Logger;
}

export interface RoleSetup<C> {
  config: C;
  logger: Logger;
  metrics: WorkerMetrics;
  /** REDIS_URL and QUEUE_PREFIX, with every client's connection errors going to the process's Redis outage log */
  queues: QueueContext;
  /** the process's plain Redis client (checkpoints; runRole uses it for /health and the durability check, and closes it) */
  redis: Redis;
  /** the RPC outage log's hooks: createChainClient({ ..., connection: rpc }) */
  rpc: ConnectionEvents;
}

export interface RunningRole {
  /** the /health and /metrics port */
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** graceful stop: intake, workers, resources, HTTP server */
  stop: () => Promise<void>;
}

/** METRICS_PORT 0 picks a free port; a fixed port is offset by the pm2 instance number so scaled instances differ. */
export const metricsPort = (configured: number, env: NodeJS.ProcessEnv = process.env): number =>
  configured === 0 ? 0 : configured + Number(env.NODE_APP_INSTANCE ?? 0);

/**
 * Starts one role in this process: configuration, logger and metrics, the outage logs of Redis and the RPC (one
 * line per outage, credentials masked), the role's own setup (its start-up checks included), worker events, the
 * /health (with queue depth and outages) and /metrics server on METRICS_PORT + the pm2 instance, the Redis
 * durability check once Redis answers, then the "<role> started" line.
 */
export async function startRole<C extends RoleConfig>(
  role: string,
  loadConfig: (env: NodeJS.ProcessEnv) => C,
  setup: (ctx: RoleSetup<C>) => Promise<RoleParts>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningRole> {
  const config = loadConfig(env);
  const metrics = createMetrics(role);
  const baseLogger = createLogger(role, config.LOG_LEVEL);
  const redisOutage = new OutageLog({ logger: baseLogger, dependency: "Redis", variable: "REDIS_URL", url: config.REDIS_URL });
  const rpcOutage = new OutageLog({ logger: baseLogger, dependency: "RPC", variable: "RPC_URL", url: config.RPC_URL });
  const queues: QueueContext = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, connection: redisOutage };
  const redis = createRedis(queues);
  let parts: RoleParts;
  try {
    parts = await setup({ config, logger: baseLogger, metrics, queues, redis, rpc: rpcOutage });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const logger = parts.logger ?? baseLogger;
  const workers = parts.workers ?? [];
  for (const w of workers) {
    w.on("failed", (job, err) => logger.warn({ queue: w.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "job failed"));
    // connection errors are the Redis outage log's (queues/connection.ts routes them there)
    w.on("error", (err) => isConnectionError(err) || logger.error({ queue: w.name, err: err.message }, "worker error"));
  }
  const health = await startHealthServer({
    port: metricsPort(config.METRICS_PORT, env),
    host: config.METRICS_HOST,
    registry: metrics.registry,
    route: parts.route,
    check: async () => {
      const outage = redisOutage.problem() ?? rpcOutage.problem();
      if (outage) return outage;
      const counts = await parts.depth.queue.getJobCounts("waiting", "active", "delayed", "failed");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: parts.depth.name, state }, n);
      if (workers.some((w) => !w.isRunning())) return "worker not running";
      return parts.check?.() ?? null;
    },
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  await warnIfNotDurable(redis, redisOutage.url, logger);
  parts.start?.({ port: health.port, url: health.url });
  logger.info({ metricsPort: health.port, ...parts.started }, `${role} started`);
  return {
    port: health.port,
    logger,
    shutdownTimeoutMs: parts.shutdownTimeoutMs ?? 15_000,
    stop: async () => {
      await parts.beforeClose?.();
      await Promise.all(workers.map((w) => w.close())); // in-flight jobs finish; none are taken meanwhile
      await parts.close();
      redis.disconnect();
      await health.close();
    },
  };
}

/** One warning line when Redis would lose or evict jobs (preflight/redis.ts); waits until Redis answers. */
async function warnIfNotDurable(redis: Redis, url: string, logger: Logger): Promise<void> {
  try {
    const d = await checkRedisDurability(redis);
    if (d.problems.length === 0) return;
    logger.warn(
      { redis: url, appendonly: d.appendonly, maxmemoryPolicy: d.maxmemoryPolicy },
      `Redis at ${url} is not configured as a durable queue: ${d.problems.join("; ")} (workers/README.md, "Redis durability")`,
    );
  } catch (err) {
    logger.warn({ redis: url, err: errorMessage(err) }, `could not read the configuration of Redis at ${url} (INFO refused?): check appendonly yes and maxmemory-policy noeviction by hand`);
  }
}

/**
 * The entry point of every worker role (workers/<role>/main.ts): startRole, then a graceful stop on SIGTERM/SIGINT.
 * A configuration error exits with code 78 naming each bad variable, any other start-up error with 1.
 */
export function runRole<C extends RoleConfig>(role: string, loadConfig: (env: NodeJS.ProcessEnv) => C, setup: (ctx: RoleSetup<C>) => Promise<RoleParts>): Promise<void> {
  return runMain(role, async () => {
    const running = await startRole(role, loadConfig, setup);
    onShutdown(running.logger, running.stop, running.shutdownTimeoutMs);
  });
}
