import { errorMessage } from "./errors.js";
import type { Logger } from "./logger.js";
import { maskUrl, maskUrlsIn } from "./redact.js";

/** What a client reports about its connection: every failed attempt, and each success after one. */
export interface ConnectionEvents {
  failed: (err: unknown) => void;
  recovered: () => void;
}

export interface OutageLogOptions {
  logger: Logger;
  /** what is unreachable, as the log says it: "Redis", "RPC" */
  dependency: string;
  /** the environment variable that names it, so the operator knows what to fix */
  variable: string;
  /** the configured URL (logged with credentials masked) */
  url: string;
  /** First "still unreachable" line after this long; each later one waits twice as long. @defaultValue 30_000 */
  firstRepeatMs?: number;
  /** @defaultValue 600_000 */
  maxRepeatMs?: number;
  now?: () => number;
}

/**
 * The log of one dependency's outages. Every failed attempt to reach it (a Redis client's `error` event, a failed
 * RPC fetch) calls `failed`; the first of an outage logs one error line naming the URL (credentials masked) and
 * the variable, later ones stay quiet except a "still unreachable" line after 30 s, 60 s, 120 s, … (at most every
 * 10 min). The next success calls `recovered`, which logs how long it lasted. The clients themselves retry with
 * backoff (ioredis' retryStrategy, BullMQ's, the followers' and jobs' backoff); this only decides what is said.
 */
export class OutageLog implements ConnectionEvents {
  readonly url: string;
  private downSince: number | null = null;
  private failures = 0;
  private nextRepeat = 0;
  private repeatMs: number;
  private readonly now: () => number;

  constructor(private readonly o: OutageLogOptions) {
    this.url = maskUrl(o.url);
    this.now = o.now ?? Date.now;
    this.repeatMs = o.firstRepeatMs ?? 30_000;
  }

  get down(): boolean {
    return this.downSince !== null;
  }

  /** The problem /health reports while down, else null. */
  problem(): string | null {
    return this.downSince === null ? null : `${this.o.dependency} unreachable at ${this.url} for ${Math.round((this.now() - this.downSince) / 1000)} s`;
  }

  failed = (err: unknown): void => {
    const now = this.now();
    this.failures++;
    const fields = { dependency: this.o.dependency.toLowerCase(), url: this.url, variable: this.o.variable, error: describe(err) };
    if (this.downSince === null) {
      this.downSince = now;
      this.nextRepeat = now + this.repeatMs;
      this.o.logger.error(fields, `${this.o.dependency} unreachable at ${this.url} (${this.o.variable}): ${fields.error}; retrying with backoff`);
      return;
    }
    if (now < this.nextRepeat) return;
    this.repeatMs = Math.min(this.repeatMs * 2, this.o.maxRepeatMs ?? 600_000);
    this.nextRepeat = now + this.repeatMs;
    const downForS = Math.round((now - this.downSince) / 1000);
    this.o.logger.error({ ...fields, downForS, failures: this.failures }, `${this.o.dependency} still unreachable at ${this.url} (${this.o.variable}) after ${downForS} s; retrying`);
  };

  recovered = (): void => {
    if (this.downSince === null) return;
    const downForS = Math.round((this.now() - this.downSince) / 1000);
    this.o.logger.info({ dependency: this.o.dependency.toLowerCase(), url: this.url, downForS, failures: this.failures }, `${this.o.dependency} reachable again at ${this.url} after ${downForS} s`);
    this.downSince = null;
    this.failures = 0;
    this.repeatMs = this.o.firstRepeatMs ?? 30_000;
  };
}

/** Whether a client error is about reaching the server (the outage log's business) rather than a command. */
export function isConnectionError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth++) {
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === "string" && /^(ECONN\w+|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EPIPE|EAI_AGAIN)$/.test(e.code)) return true;
    if (e.name === "MaxRetriesPerRequestError") return true;
    if (typeof e.message === "string" && /Connection is closed|NOAUTH|WRONGPASS|ECONNREFUSED|ETIMEDOUT/.test(e.message)) return true;
    current = e.cause;
  }
  return false;
}

/** The cause as one short line: the system error code and address when there is one (ECONNREFUSED 127.0.0.1:1). */
function describe(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth++) {
    const e = current as { code?: unknown; address?: unknown; port?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return `${e.code}${e.address ? ` ${String(e.address)}${e.port ? `:${String(e.port)}` : ""}` : ""}`;
    // AggregateError (happy eyeballs tried several addresses): the first attempt tells the story.
    current = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return maskUrlsIn(errorMessage(err).split("\n")[0]);
}
