/**
 * Sends one inference request to a deployed hub and prints its id; optionally follows it to its result or its
 * settlement and prints the decoded answer. The same client library as `npx twinpath request` (which also shows each
 * step live): encoding at the model's input scale, the hub's quote, simulate-then-send, the lifecycle, decoding.
 *
 *   TWINPATH_MODEL_ID=1 TWINPATH_INPUT='[5.1, 3.5, 1.4, 0.2]' TWINPATH_WAIT=settled \
 *     npx hardhat run scripts/request-inference.ts --network localhost
 *
 * Environment:
 *   TWINPATH_MODEL_ID          required: the model version to run
 *   TWINPATH_INPUT             required: JSON array of numbers (nested rows allowed, row-major); encoded at the
 *                              model's registered input scale (protocol/fixedPoint.ts)
 *   TWINPATH_FEE_WEI           value sent with the request (default: the hub's quoteFee: the model's price plus the
 *                              callback budget at twice the current max fee per gas; the unused budget is refunded)
 *   TWINPATH_RESULT_CALLBACK   1 to have the hub call onResult on the sender (contracts only; default 0)
 *   TWINPATH_WAIT              result: wait for the fast result; settled (or 1): follow it to settled or refunded;
 *                              0 (default): print the id and return
 *   TWINPATH_WAIT_TIMEOUT_S    how long to wait (default 300)
 *   TWINPATH_LABELS            class names of the output, comma-separated (the answer is printed with its label)
 *   TWINPATH_HUB               hub address; default from deployments/<chainId>.json
 */
import { network } from "hardhat";
import { z } from "zod";

import { readDeployment } from "./lib/deployments.js";
import { envAddress, envBool, envJson, envUint, parseEnv } from "./lib/env.js";
import { ScriptInputError, runScript } from "./lib/run.js";
import { createTwinpathClient, WatchTimeoutError, type NestedNumbers, type RequestTimeline, type TwinpathModel } from "../client/index.js";
import { protocolErrorOf } from "../workers/chain/protocolError.js";

type Nested = number | Nested[];
const nested: z.ZodType<Nested> = z.lazy(() => z.union([z.number().finite(), z.array(nested)]));

/** The hub's refusal of an input outside the model's admitted domain, restated in the input's own numbers. */
function domainRefusal(err: unknown, model: TwinpathModel, values: NestedNumbers): ScriptInputError | undefined {
  const e = protocolErrorOf(err);
  if (e?.errorName !== "InferenceHubInputOutOfDomain") return undefined;
  const [index, , lower, upper] = e.args;
  const real = (v: bigint) => Number(v) / 2 ** model.input.scale;
  const given = ([values].flat(Infinity as 1) as number[])[Number(index)];
  return new ScriptInputError(
    `TWINPATH_INPUT[${index}] = ${given} is outside model ${model.id}'s admitted domain there, [${real(lower)}, ${real(upper)}] (the hub refuses it: InferenceHubInputOutOfDomain); nothing was sent`,
  );
}

/** The answer a timeline holds: the settled output, else the fast result (not verified yet). */
const answerOf = (t: RequestTimeline) => (t.settled?.output ? { raw: t.settled.output, verified: true } : t.result && !t.refunded ? { raw: t.result.output, verified: false } : undefined);

await runScript(async () => {
  const env = parseEnv(
    "scripts/request-inference.ts",
    z.object({
      TWINPATH_MODEL_ID: envUint(),
      TWINPATH_INPUT: envJson(z.array(nested).min(1, "must hold at least one number")),
      TWINPATH_FEE_WEI: envUint().optional(),
      TWINPATH_RESULT_CALLBACK: envBool().default("0"),
      TWINPATH_WAIT: z.enum(["0", "1", "result", "settled"]).default("0"),
      TWINPATH_WAIT_TIMEOUT_S: envUint().default("300"),
      TWINPATH_LABELS: z.string().optional(),
      TWINPATH_HUB: envAddress().optional(),
    }),
  );

  const { viem, networkName } = await network.create();
  const publicClient = await viem.getPublicClient();
  const [walletClient] = await viem.getWalletClients();
  const chainId = await publicClient.getChainId();
  const deployment = env.TWINPATH_HUB ? undefined : await readDeployment(chainId);
  const hub = env.TWINPATH_HUB ?? deployment!.contracts.inferenceHub;
  // the registries and the quorum the hub was deployed with (immutable on the hub)
  const hubContract = await viem.getContractAt("InferenceHub", hub);
  const [modelRegistry, nodeRegistry, attestationQuorum] = await Promise.all([hubContract.read.models(), hubContract.read.nodes(), hubContract.read.attestationQuorum()]);
  const tp = createTwinpathClient({
    publicClient: publicClient as never,
    walletClient: walletClient as never,
    addresses: { hub, modelRegistry, nodeRegistry, attestationQuorum },
    fromBlock: deployment?.deployBlock !== undefined ? BigInt(deployment.deployBlock) : undefined,
  });

  const modelId = env.TWINPATH_MODEL_ID;
  const model = await tp.getModel(modelId);
  if (!model.active) throw new ScriptInputError(`model ${modelId} is not active`);
  const values = env.TWINPATH_INPUT as NestedNumbers;
  const input = await tp.encodeInput(modelId, values);
  const options = { resultCallback: env.TWINPATH_RESULT_CALLBACK };
  const fee = env.TWINPATH_FEE_WEI ?? (await tp.quoteFee(modelId, options));
  const labels = env.TWINPATH_LABELS?.split(",").map((s) => s.trim());

  console.log(`Requesting model ${modelId} (${model.modeName}) on ${networkName} (chain ${chainId}), hub ${hub}`);
  console.log(`  input ${JSON.stringify(values)} -> ${JSON.stringify(input.map(String))} (scale ${model.input.scale}), fee ${fee} wei`);
  const r = await tp.requestInference({ modelId, input: { fixedPoint: input }, fee, options }).catch((err: unknown) => {
    throw domainRefusal(err, model, values) ?? err;
  });
  console.log(`\nRequest id ${r.requestId} (tx ${r.transactionHash}, gas ${r.receipt.gasUsed}), executor ${r.event.args.executor}`);
  console.log(`  result deadline ${new Date(Number(r.event.args.resultDeadline) * 1000).toISOString()}`);
  if (env.TWINPATH_WAIT === "0") return;

  const until = env.TWINPATH_WAIT === "result" ? "ResultSubmitted" : undefined;
  console.log(`Following it until ${until ? "its result" : "settled or refunded"} (up to ${env.TWINPATH_WAIT_TIMEOUT_S} s)…`);
  const t0 = Date.now();
  try {
    for await (const e of tp.watchRequest(r.requestId, { fromBlock: r.blockNumber, timeoutMs: Number(env.TWINPATH_WAIT_TIMEOUT_S) * 1000 })) {
      console.log(`  +${((Date.now() - t0) / 1000).toFixed(1)} s  ${e.eventName} (block ${e.blockNumber})`);
      if (e.eventName === until) break;
    }
  } catch (err) {
    if (!(err instanceof WatchTimeoutError)) throw err;
    console.error(`Request ${r.requestId} is still open after ${env.TWINPATH_WAIT_TIMEOUT_S} s.`);
    if ((await publicClient.getBlockNumber()) === r.blockNumber) {
      // The likeliest cause on a dev chain: nothing buries the request, so a listener waiting for confirmations never sees it.
      console.error(
        `  The chain head is still the request's block ${r.blockNumber}: a chain that mines only on transactions (an automining hardhat node) never\n` +
          "  confirms it. Run the workers with LISTENER_CONFIRMATIONS=0 there (npx pm2 start ecosystem.dev.config.cjs does; twinpath dev up too).",
      );
    } else {
      console.error(`  \`npx twinpath status ${r.requestId}\` shows where it waits; are the workers running (\`npx twinpath dev status\`, or your pm2 processes)?`);
    }
    process.exitCode = 1;
  }
  const t = await tp.getRequestTimeline(r.requestId, { fromBlock: r.blockNumber });
  const a = answerOf(t);
  if (a) {
    const d = await tp.decodeOutput(modelId, a.raw, { labels: labels && labels.length === a.raw.length ? labels : undefined });
    console.log(`Answer: ${d.label !== undefined ? `${d.label} ` : ""}${JSON.stringify(d.values)} (output ${JSON.stringify(d.fixedPoint.map(String))} at scale ${model.output.scale}; ${a.verified ? "settled: verified" : "fast path: not verified yet"})`);
  }
  console.log(`Request ${r.requestId}: ${t.statusName}`);
  if (!until && t.statusName !== "Settled") process.exitCode = 1;
});
