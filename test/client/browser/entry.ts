/**
 * What the browser test runs inside headless Chromium, bundled by esbuild from the library's browser entry: read a
 * settled request from a real chain, decode its answer, and verify it offline (bundle over HTTP, the TypeScript
 * Halo2 verifier, EIP-712 attestations) with no server of ours in the loop but a static file server.
 */
import { createPublicClient, http } from "viem";
import { createTwinpathClient, httpBundle, type TwinpathAddresses } from "../../../client/index.js";

export interface BrowserRun {
  rpcUrl: string;
  addresses: TwinpathAddresses;
  requestId: string;
  bundleUrl: string;
  labels: string[];
  quorumBps?: number;
}

async function run(cfg: BrowserRun) {
  const tp = createTwinpathClient({ publicClient: createPublicClient({ transport: http(cfg.rpcUrl) }), addresses: cfg.addresses });
  const requestId = BigInt(cfg.requestId);
  const timeline = await tp.getRequestTimeline(requestId);
  const fast = await tp.decodeOutput(timeline.modelId!, timeline.result!.output, { labels: cfg.labels });
  const t0 = performance.now();
  const report = await tp.verifySettledResult(requestId, { bundle: httpBundle(cfg.bundleUrl), labels: cfg.labels, quorumBps: cfg.quorumBps });
  return {
    status: timeline.statusName,
    events: timeline.events.map((e) => e.eventName),
    fastLabel: fast.label,
    ok: report.ok,
    label: report.output?.label,
    values: report.output?.values,
    checks: report.checks,
    verifyMs: performance.now() - t0,
    userAgent: navigator.userAgent,
  };
}

(globalThis as { twinpathRun?: typeof run }).twinpathRun = run;
