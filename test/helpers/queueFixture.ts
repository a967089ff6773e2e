// A Redis for a file's queues (REDIS_URL if it answers, else a local one), a unique prefix, and the clean-up after
// the file: what it opened closed (last first), its keys deleted, its folders removed.
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { resolveRedis } from "../../devnet/localRedis.js";
import { deleteQueueKeys } from "../../devnet/queueKeys.js";
import type { QueueContext } from "../../workers/queues/connection.js";

export interface QueueFixture {
  /** the file's queue context (set in its `before`) */
  readonly ctx: QueueContext;
  /** closed after the file, last first */
  readonly closers: (() => Promise<unknown>)[];
  /** removed after the file */
  readonly dirs: string[];
  /** the file's before hook: `before(fx.setUp)` (node:test stays in the test files, where the runner looks for it) */
  setUp(): Promise<void>;
  /** the file's after hook: `after(fx.tearDown)` */
  tearDown(): Promise<void>;
}

/** The fixture of a file's queues; `tag` starts the key prefix. */
export function queueFixture(tag: string): QueueFixture {
  let redis: Awaited<ReturnType<typeof resolveRedis>> | undefined;
  let ctx: QueueContext | undefined;
  const fixture: QueueFixture = {
    get ctx() {
      if (!ctx) throw new Error("queueFixture: the queue context is set in the file's before hook");
      return ctx;
    },
    closers: [],
    dirs: [],
    async setUp() {
      redis = await resolveRedis();
      ctx = { redisUrl: redis.url, prefix: `${tag}-${process.pid}-${randomBytes(3).toString("hex")}` };
    },
    async tearDown() {
      for (const close of fixture.closers.reverse()) await close().catch(() => {});
      if (ctx) await deleteQueueKeys(ctx);
      await redis?.dispose();
      for (const d of fixture.dirs) rmSync(d, { recursive: true, force: true });
    },
  };
  return fixture;
}
