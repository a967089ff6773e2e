/**
 * Deploys the on-chain Halo2 verifier of a model bundle: the shared Halo2Verifier (or reuses one), the bundle's
 * verifying artifact (data contracts) and the EzklReusableHalo2Adapter that binds them. The adapter's address is the
 * model's verifier for scripts/register-model.ts (TWINPATH_VERIFIER).
 *
 *   TWINPATH_BUNDLE=models/iris-mlp/bundle npx hardhat run scripts/deploy-verifier.ts --network localhost
 *
 * Environment:
 *   TWINPATH_BUNDLE          required: the bundle folder (manifest.json, model.compiled, settings.json, kzg.srs, vk.key)
 *   TWINPATH_HALO2_VERIFIER  optional: an already deployed Halo2Verifier to reuse (it is circuit-independent)
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

import { network } from "hardhat";
import { z } from "zod";

import { readManifest } from "../compiler/manifest.js";
import { deployVerifierForBundle } from "../halo2/solidity/forBundle.js";
import { envAddress, envString, parseEnv } from "./lib/env.js";
import { runScript, ScriptInputError } from "./lib/run.js";

await runScript(async () => {
  const env = parseEnv(
    "scripts/deploy-verifier.ts",
    z.object({ TWINPATH_BUNDLE: envString(), TWINPATH_HALO2_VERIFIER: envAddress().optional() }),
  );
  if (!existsSync(join(env.TWINPATH_BUNDLE, "vk.key")) && !existsSync(join(env.TWINPATH_BUNDLE, "manifest.json"))) {
    throw new ScriptInputError(`TWINPATH_BUNDLE: ${env.TWINPATH_BUNDLE} is not a bundle folder (no manifest.json / vk.key)`);
  }
  const manifest = existsSync(join(env.TWINPATH_BUNDLE, "manifest.json")) ? readManifest(env.TWINPATH_BUNDLE).manifest : undefined;

  const { viem, networkName } = await network.create();
  const publicClient = await viem.getPublicClient();
  const [walletClient] = await viem.getWalletClients();
  const chainId = await publicClient.getChainId();
  console.log(`Deploying the Halo2 verifier of ${manifest?.name ?? env.TWINPATH_BUNDLE} on ${networkName} (chain ${chainId})`);
  if (manifest?.srsInfo?.kind === "dev-insecure") console.warn(`  WARNING: ${manifest.srsInfo.warning}`);

  const d = await deployVerifierForBundle({ walletClient: walletClient as never, publicClient: publicClient as never }, env.TWINPATH_BUNDLE, {
    verifier: env.TWINPATH_HALO2_VERIFIER,
  });
  const stats = d.plan.chunks.artifact.stats;
  console.log(`  vk digest       ${d.plan.desc.vkDigest}`);
  console.log(`  Halo2Verifier   ${d.verifier}${env.TWINPATH_HALO2_VERIFIER ? " (reused)" : ""}`);
  console.log(`  artifact        ${d.vka} (${d.plan.payload.length} bytes, ${1 + d.extraChunks.length} data contract(s); ${stats.constraints} constraints, program ${stats.programBytes} B)`);
  for (const c of d.extraChunks) console.log(`    continuation  ${c}`);
  console.log(`  adapter         ${d.adapter}`);
  console.log(`  deployment gas  ${d.gasUsed}`);
  console.log(`\n  export TWINPATH_VERIFIER=${d.adapter}`);
  console.log(`  export TWINPATH_HALO2_VERIFIER=${d.verifier}   # reuse for the next model`);
});
