import { ConfigError, TwinpathError } from "./errors.js";
import { maskUrlsIn } from "./redact.js";

/**
 * Entry-point wrapper of every worker process: a configuration error (a bad variable, or a start-up check that
 * refused one: an unstaked key, an address that is another contract, an unusable bundle folder) prints its message
 * naming each variable to stderr and exits with code 78 (EX_CONFIG: the pm2 presets do not restart it); any other
 * start-up error exits with 1. URLs in messages are printed with their credentials masked.
 */
export async function runMain(role: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${maskUrlsIn(err.message)}\n`);
      process.exit(78);
    }
    const short = (err as { shortMessage?: unknown }).shortMessage;
    const message =
      err instanceof TwinpathError ? err.message : typeof short === "string" ? short : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${role} failed to start: ${maskUrlsIn(message)}\n`);
    process.exit(1);
  }
}

/**
 * First contact with the RPC, which may come up after the worker (pm2 starts everything at once): retries with
 * backoff (0.5 s doubling to 10 s; `attempts` tries, ~4.5 min by default) while the RPC outage log says what is
 * wrong. A ChainError (the RPC answers for another chain) fails at once.
 */
export async function retryStartup<T>(fn: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { name?: string }).name === "ChainError" || i + 1 >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** i, 10_000)));
    }
  }
}
