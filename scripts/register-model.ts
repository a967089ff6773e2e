/**
 * Registers a model bundle (a folder with manifest.json, see compiler/) in the ModelRegistry.
 *
 *   TWINPATH_BUNDLE=models/iris-mlp/bundle TWINPATH_MODE=ZKML_ATTESTED TWINPATH_PRICE_WEI=1000000000000000 \
 *     npx hardhat run scripts/register-model.ts --network localhost
 *
 * Environment (Hardhat 3's `hardhat run` passes no arguments to scripts, so options come from here):
 *   TWINPATH_BUNDLE          required: the bundle folder (contains manifest.json)
 *   TWINPATH_MODE            ZKML_ONCHAIN | ZKML_ATTESTED | OPTIMISTIC (default ZKML_ATTESTED)
 *   TWINPATH_VERIFIER        IProofVerifier address; required for ZKML_ONCHAIN and OPTIMISTIC
 *   TWINPATH_PRICE_WEI       minimum fee per request, in wei (default 0)
 *   TWINPATH_TOLERANCE       optional: a larger tolerance than the bundle's (manifest.admission.tolerance, the default);
 *                            a smaller one is refused
 * The admitted input domain comes from the bundle too (manifest.admission): the hub refuses every other input.
 *   TWINPATH_PREVIOUS_MODEL  register as a new version of this model id (you must own it)
 *   TWINPATH_MODEL_REGISTRY  registry address; default from deployments/<chainId>.json
 *
 * Prints the new model id (from the ModelRegistered event).
 */
import { network } from "hardhat";
import { parseEventLogs } from "viem";
import { z } from "zod";

import { readDeployment } from "./lib/deployments.js";
import { envAddress, envString, envUint, parseEnv } from "./lib/env.js";
import { runScript } from "./lib/run.js";
import { loadBundleManifest, manifestToModelSpec } from "../compiler/registration.js";
import { verificationModeNames } from "../protocol/enums.js";

await runScript(async () => {
  const env = parseEnv(
    "scripts/register-model.ts",
    z.object({
      TWINPATH_BUNDLE: envString(),
      TWINPATH_MODE: z.preprocess((v) => (v === "" ? undefined : v), z.enum(verificationModeNames).default("ZKML_ATTESTED")),
      TWINPATH_VERIFIER: envAddress().optional(),
      TWINPATH_PRICE_WEI: envUint().default("0"),
      TWINPATH_TOLERANCE: envUint().optional(),
      TWINPATH_PREVIOUS_MODEL: envUint().optional(),
      TWINPATH_MODEL_REGISTRY: envAddress().optional(),
    }),
  );

  const loaded = await loadBundleManifest(env.TWINPATH_BUNDLE);
  const spec = manifestToModelSpec(loaded, {
    mode: env.TWINPATH_MODE,
    verifier: env.TWINPATH_VERIFIER,
    price: env.TWINPATH_PRICE_WEI,
    tolerance: env.TWINPATH_TOLERANCE,
  });

  const { viem, networkName } = await network.create();
  const publicClient = await viem.getPublicClient();
  const chainId = await publicClient.getChainId();
  const registryAddress = env.TWINPATH_MODEL_REGISTRY ?? (await readDeployment(chainId)).contracts.modelRegistry;
  const registry = await viem.getContractAt("ModelRegistry", registryAddress);

  console.log(`Registering ${loaded.manifest.name} on ${networkName} (chain ${chainId}), registry ${registryAddress}`);
  console.log(`  manifest ${loaded.manifestHash}`);
  console.log(`  onnx     ${spec.onnxHash}`);
  console.log(`  input ${JSON.stringify(spec.inputShape)} @ scale ${spec.inputScale}, output ${JSON.stringify(spec.outputShape)} @ scale ${spec.outputScale}`);
  console.log(`  mode ${env.TWINPATH_MODE}, verifier ${spec.verifier}, price ${spec.price} wei, tolerance ${spec.tolerance}`);
  console.log(`  admitted input domain [${spec.inputLower.join(", ")}] .. [${spec.inputUpper.join(", ")}]`);

  const hash =
    env.TWINPATH_PREVIOUS_MODEL === undefined
      ? await registry.write.registerModel([spec])
      : await registry.write.registerVersion([env.TWINPATH_PREVIOUS_MODEL, spec]);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`registration transaction ${hash} reverted`);
  const [event] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "ModelRegistered" });
  if (event === undefined) throw new Error(`no ModelRegistered event in ${hash}`);
  console.log(`\nModel id ${event.args.modelId} (tx ${hash}, gas ${receipt.gasUsed})`);
  console.log(`  export TWINPATH_MODEL_ID=${event.args.modelId}`);
});
