/**
 * Registers a model bundle (a folder with manifest.json, see compiler/) in the ModelRegistry: the same registration as
 * `npx twinpath model register <bundle>` (which also derives a missing proving key and deploys the verifier).
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
import { z } from "zod";

import { readDeployment } from "./lib/deployments.js";
import { envAddress, envString, envUint, parseEnv } from "./lib/env.js";
import { runScript } from "./lib/run.js";
import { loadBundleManifest, manifestToModelSpec } from "../compiler/registration.js";
import { verificationModeNames } from "../protocol/enums.js";
import { registerModel } from "../workers/chain/registerModel.js";

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
  const [wallet] = await viem.getWalletClients();
  const chainId = await publicClient.getChainId();
  const registryAddress = env.TWINPATH_MODEL_REGISTRY ?? (await readDeployment(chainId)).contracts.modelRegistry;

  console.log(`Registering ${loaded.manifest.name} on ${networkName} (chain ${chainId}), registry ${registryAddress}`);
  console.log(`  manifest ${loaded.manifestHash}`);
  console.log(`  onnx     ${spec.onnxHash}`);
  console.log(`  input ${JSON.stringify(spec.inputShape)} @ scale ${spec.inputScale}, output ${JSON.stringify(spec.outputShape)} @ scale ${spec.outputScale}`);
  console.log(`  mode ${env.TWINPATH_MODE}, verifier ${spec.verifier}, price ${spec.price} wei, tolerance ${spec.tolerance}`);
  console.log(`  admitted input domain [${spec.inputLower.join(", ")}] .. [${spec.inputUpper.join(", ")}]`);

  // the same registration as `twinpath model register`
  const r = await registerModel(wallet as never, publicClient as never, { modelRegistry: registryAddress, spec, previous: env.TWINPATH_PREVIOUS_MODEL });
  console.log(`\nModel id ${r.modelId} (tx ${r.hash}, gas ${r.receipt.gasUsed})`);
  console.log(`  export TWINPATH_MODEL_ID=${r.modelId}`);
});
