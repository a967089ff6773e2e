/**
 * Polls `fn` every 50 ms until it returns something truthy (returned), or throws "timed out waiting for <what>"
 * after `timeoutMs`. For tests that wait on queue workers and chain state they do not drive themselves.
 */
export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
