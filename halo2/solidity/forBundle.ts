// Bundle hook: from a bundle directory (compiler/bundle.ts layout) to what must be deployed for its on-chain
// verifier, and a one-call deployment returning the adapter address to register as the model's verifier.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { bundleFiles, describeBundle } from "../circuit/describe.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../circuit/encoding.js";
import type { CircuitDescription } from "../circuit/types.js";
import { generateVerifierArtifacts, type VerifierArtifacts } from "./generate.js";
import { deployVerifierArtifacts, type DeployClients, type DeployedVerifier } from "./deploy.js";

export interface BundleVerifierPlan extends VerifierArtifacts {
  desc: CircuitDescription;
  srs: SrsVerifierParams;
}

/** Where a bundle's circuit description is cached: keyed by the VK bytes, outside the bundle (which may be committed). */
function descriptionCachePath(vkFile: string): string {
  const sha = createHash("sha256").update(fs.readFileSync(vkFile)).digest("hex");
  return path.join(REPO_ROOT, ".twinpath", "halo2", "circuits", `${sha}.json`);
}

/**
 * Describes the bundle's circuit (halo2/circuit/describe.ts; cached under .twinpath/halo2/circuits/) and generates
 * its verifying artifact.
 */
export async function verifierArtifactsForBundle(bundleDir: string): Promise<BundleVerifierPlan> {
  const files = bundleFiles(bundleDir);
  for (const f of Object.values(files)) if (!fs.existsSync(f)) throw new Error(`bundle ${bundleDir}: ${f} is missing`);
  const cache = descriptionCachePath(files.vk);
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  const desc = await describeBundle(bundleDir, { cache });
  const srs = readSrsVerifierParams(new Uint8Array(fs.readFileSync(files.srs)));
  return { ...generateVerifierArtifacts(desc, srs), desc, srs };
}

/**
 * Deploys the on-chain verifier of a bundle: Halo2Verifier (reused when `opts.verifier` is given), the verifying
 * artifact, and the EzklReusableHalo2Adapter. Register `result.adapter` as the model's verifier.
 */
export async function deployVerifierForBundle(clients: DeployClients, bundleDir: string, opts: { verifier?: Address } = {}): Promise<DeployedVerifier & { plan: BundleVerifierPlan }> {
  const plan = await verifierArtifactsForBundle(bundleDir);
  const deployed = await deployVerifierArtifacts(clients, plan, opts);
  return { ...deployed, plan };
}
