/**
 * Mines an empty block every TICK_MS (default 1000) on the chain at RPC_URL: an automining dev node moves its clock
 * only when a transaction arrives, while prover, attestation and challenge windows are chain time. `twinpath dev up`
 * runs it as a process of the stack (devnet's in-process equivalent: ProofStack.startBlockTicker).
 */
import { createPublicClient, http } from "viem";

const rpcUrl = process.env.RPC_URL;
const tickMs = Number(process.env.TICK_MS ?? 1000);
if (!rpcUrl || !Number.isFinite(tickMs) || tickMs < 50) {
  console.error(JSON.stringify({ level: "error", msg: "ticker needs RPC_URL and TICK_MS >= 50" }));
  process.exit(78);
}
const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5000 }) });
let stopping = false;
const timer = setInterval(() => {
  if (!stopping) void client.request({ method: "evm_mine" } as never).catch(() => {});
}, tickMs);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    stopping = true;
    clearInterval(timer);
    process.exit(0);
  });
}
console.log(JSON.stringify({ level: "info", msg: "ticker started", rpcUrl, tickMs }));
