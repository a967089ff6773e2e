/**
 * Sends one inference request to a deployed hub and prints its id; optionally waits for the fast-path result.
 *
 *   TWINPATH_MODEL_ID=1 TWINPATH_INPUT='[5.1, 3.5, 1.4, 0.2]' TWINPATH_WAIT=1 \
 *     npx hardhat run scripts/request-inference.ts --network localhost
 *
 * Environment:
 *   TWINPATH_MODEL_ID          required: the model version to run
 *   TWINPATH_INPUT             required: JSON array of numbers (nesting is flattened in row-major order); quantized
 *                              to round(f32(x) * 2^inputScale) at the model's registered input scale (protocol/fixedPoint.ts)
 *   TWINPATH_FEE_WEI           value sent with the request (default: the hub's quoteFee: the model's price plus the
 *                              callback budget at twice the current max fee per gas; the unused budget is refunded)
 *   TWINPATH_RESULT_CALLBACK   1 to have the hub call onResult on the sender (contracts only; default 0)
 *   TWINPATH_WAIT              1 to wait for ResultSubmitted and print the output (default 0)
 *   TWINPATH_WAIT_TIMEOUT_S    how long to wait (default 120)
 *   TWINPATH_HUB               hub address; default from deployments/<chainId>.json
 */
import { network } from "hardhat";
import { parseEventLogs } from "viem";
import { z } from "zod";

import { readDeployment } from "./lib/deployments.js";
import { envAddress, envBool, envJson, envUint, parseEnv } from "./lib/env.js";
import { ScriptInputError, runScript } from "./lib/run.js";
import { dequantize, quantize } from "../protocol/fixedPoint.js";
import { requestStatusName } from "../protocol/enums.js";

type Nested = number | Nested[];
const nested: z.ZodType<Nested> = z.lazy(() => z.union([z.number().finite(), z.array(nested)]));

await runScript(async () => {
  const env = parseEnv(
    "scripts/request-inference.ts",
    z.object({
      TWINPATH_MODEL_ID: envUint(),
      TWINPATH_INPUT: envJson(z.array(nested).min(1, "must hold at least one number")),
      TWINPATH_FEE_WEI: envUint().optional(),
      TWINPATH_RESULT_CALLBACK: envBool().default("0"),
      TWINPATH_WAIT: envBool().default("0"),
      TWINPATH_WAIT_TIMEOUT_S: envUint().default("120"),
      TWINPATH_HUB: envAddress().optional(),
    }),
  );

  const { viem, networkName } = await network.create();
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const hubAddress = env.TWINPATH_HUB ?? (await readDeployment(chainId)).contracts.inferenceHub;
  const hub = await viem.getContractAt("InferenceHub", hubAddress);
  const registry = await viem.getContractAt("ModelRegistry", await hub.read.models());

  const model = await registry.read.getModel([env.TWINPATH_MODEL_ID]);
  const values = (env.TWINPATH_INPUT as Nested[]).flat(Infinity as 1) as number[];
  if (values.length !== model.inputLength) {
    throw new ScriptInputError(
      `TWINPATH_INPUT has ${values.length} numbers; model ${env.TWINPATH_MODEL_ID} takes ${model.inputLength} (shape ${JSON.stringify(model.spec.inputShape)})`,
    );
  }
  if (!model.active) throw new ScriptInputError(`model ${env.TWINPATH_MODEL_ID} is not active`);
  const input = quantize(values, model.spec.inputScale);
  // The registry admits per element the fixed-point bounds in which every input proves (one pair: all elements).
  const { inputLower: lower, inputUpper: upper } = model.spec;
  const outside = input.findIndex((v, i) => v < (lower.length === 1 ? lower[0] : lower[i]) || v > (upper.length === 1 ? upper[0] : upper[i]));
  if (outside >= 0) {
    const [lo, hi] = [lower.length === 1 ? lower[0] : lower[outside], upper.length === 1 ? upper[0] : upper[outside]];
    const scale = model.spec.inputScale;
    throw new ScriptInputError(
      `TWINPATH_INPUT[${outside}] = ${values[outside]} is outside the model's admitted domain [${dequantize([lo], scale)[0]}, ${dequantize([hi], scale)[0]}] (the hub refuses it: InferenceHubInputOutOfDomain)`,
    );
  }
  const options = { callbackGasLimit: 0, resultCallback: env.TWINPATH_RESULT_CALLBACK, resultTimeout: 0, proofTimeout: 0 };
  const { maxFeePerGas } = await publicClient.estimateFeesPerGas();
  const fee = env.TWINPATH_FEE_WEI ?? (await hub.read.quoteFee([env.TWINPATH_MODEL_ID, options, maxFeePerGas * 2n]));

  console.log(`Requesting model ${env.TWINPATH_MODEL_ID} on ${networkName} (chain ${chainId}), hub ${hubAddress}`);
  console.log(`  input ${JSON.stringify(values)} -> ${JSON.stringify(input.map(String))} (scale ${model.spec.inputScale}), fee ${fee} wei`);

  const hash = await hub.write.requestInference([env.TWINPATH_MODEL_ID, input, options], { value: fee });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`request transaction ${hash} reverted`);
  const [requested] = parseEventLogs({ abi: hub.abi, logs: receipt.logs, eventName: "InferenceRequested" });
  if (requested === undefined) throw new Error(`no InferenceRequested event in ${hash}`);
  const requestId = requested.args.requestId;
  console.log(`\nRequest id ${requestId} (tx ${hash}, gas ${receipt.gasUsed}), executor ${requested.args.executor}`);
  console.log(`  result deadline ${new Date(Number(requested.args.resultDeadline) * 1000).toISOString()}`);

  if (env.TWINPATH_WAIT) {
    const deadline = Date.now() + Number(env.TWINPATH_WAIT_TIMEOUT_S) * 1000;
    console.log(`Waiting up to ${env.TWINPATH_WAIT_TIMEOUT_S}s for the result...`);
    for (;;) {
      const [result] = await hub.getEvents.ResultSubmitted({ requestId }, { fromBlock: receipt.blockNumber, strict: true });
      if (result !== undefined) {
        const output = result.args.output ?? [];
        console.log(`Result from ${result.args.executor} in block ${result.blockNumber}:`);
        console.log(`  output ${JSON.stringify(output.map(String))} = ${JSON.stringify(dequantize(output, model.spec.outputScale))} (scale ${model.spec.outputScale})`);
        break;
      }
      if (Date.now() > deadline) {
        const [status, head] = await Promise.all([hub.read.status([requestId]), publicClient.getBlockNumber()]);
        console.error(`No result for request ${requestId} after ${env.TWINPATH_WAIT_TIMEOUT_S}s (status ${requestStatusName(status)}).`);
        if (head === receipt.blockNumber) {
          // The likeliest cause on a dev chain: nothing buries the request, so a listener waiting for confirmations never sees it.
          console.error(
            `  The chain head is still the request's block ${head}: a chain that mines only on transactions (an automining hardhat node) never\n` +
              "  confirms it. Run the workers with LISTENER_CONFIRMATIONS=0 there (npx pm2 start ecosystem.dev.config.cjs does).",
          );
        }
        console.error(
          "  Then check, in order: the listener's log (does it see the request?), the executor's (does its model store hold the model?),\n" +
            `  the sender's (is one of its keys the assigned executor ${requested.args.executor}, staked?), and the failed jobs:\n` +
            "  npm run workers:dead-letters (workers/README.md, \"Monitor\").",
        );
        process.exitCode = 1;
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
});
