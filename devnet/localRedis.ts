import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProcessError } from "../workers/shared/errors.js";
import { freePort, waitForPort } from "./ports.js";
import { killOnExit } from "./exitCleanup.js";

export interface LocalRedisOptions {
  /** Keep data on disk (AOF; SIGTERM flushes it) so a restart keeps it, as a production Redis would. @defaultValue false */
  persistent?: boolean;
  /** Port to use. @defaultValue a free loopback port */
  port?: number;
}

export interface LocalRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes its data first when persistent). */
  stop: () => Promise<void>;
  /** Starts it again on the same port and data directory. */
  start: () => Promise<void>;
  /** Stops it for good and deletes its data directory. */
  dispose: () => Promise<void>;
}

/**
 * Arguments of a loopback `redis-server` keeping its files in `dir`: append-only persistence when `persistent`
 * (what a queue that must not lose jobs needs), no RDB snapshots, and no eviction (a queue's keys must never be
 * evicted; it is also Redis's default).
 */
export function redisServerArgs(port: number, dir: string, persistent: boolean): string[] {
  return [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--maxmemory-policy", "noeviction",
    ...(persistent ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"]),
  ];
}

/** Starts `redis-server` on a loopback port for tests and the demo (never the shared one at 6379). */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "twinpath-redis-"));
  const args = redisServerArgs(port, dir, options.persistent ?? false);
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const proc = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const failed = new Promise<never>((_, reject) => {
      proc.once("error", (err) =>
        reject(new ProcessError("could not start redis-server", { cause: err, details: "Install Redis (apt-get install redis-server) or set REDIS_URL." })),
      );
      proc.once("exit", (code) => reject(new ProcessError(`redis-server exited with code ${code}`, { details: stderr })));
    });
    failed.catch(() => {});
    child = proc;
    await Promise.race([waitForPort(port, 10_000), failed]);
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    if (proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  };

  await start();
  const forget = killOnExit(() => child?.kill("SIGKILL"));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** REDIS_URL when set, else a fresh local redis-server (disposed by the returned `dispose`). */
export async function resolveRedis(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; dispose: () => Promise<void>; local: boolean }> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, dispose: async () => {}, local: false };
  const redis = await startLocalRedis();
  return { url: redis.url, dispose: redis.dispose, local: true };
}
