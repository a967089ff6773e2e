import type { Logger } from "./logger.js";

/**
 * Runs `close` once on SIGTERM/SIGINT (pm2 sends SIGINT, then SIGKILL after kill_timeout), then exits.
 * A second signal while closing exits at once. `close` should finish or hand back in-flight jobs (worker.close()).
 */
export function onShutdown(logger: Logger, close: () => Promise<void>, timeoutMs = 15_000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, "second signal while closing: exiting now");
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out: exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info("shut down cleanly");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "error while shutting down");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
