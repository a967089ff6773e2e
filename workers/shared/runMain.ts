import { ConfigError, TwinpathError } from "./errors.js";

/**
 * Entry-point wrapper of every worker process: a configuration error prints its message (naming each bad
 * variable) to stderr and exits with code 78 (EX_CONFIG); any other start-up error exits with 1.
 */
export async function runMain(role: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    const message = err instanceof TwinpathError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${role} failed to start: ${message}\n`);
    process.exit(1);
  }
}

/** The RPC may come up after the worker (pm2 starts everything at once): retry first contact for ~30 s. */
export async function retryStartup<T>(fn: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { name?: string }).name === "ChainError" || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
