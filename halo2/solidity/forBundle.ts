// Bundle hook: from a bundle directory (compiler/bundle.ts layout) to what must be deployed for its on-chain
// verifier, and a one-call deployment returning the adapter address to register as the model's verifier.
import fs from "node:fs";
import type { Address } from "viem";
import { bundleFiles, describeBundle } from "../circuit/describe.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../circuit/encoding.js";
import type { CircuitDescription } from "../circuit/types.js";
import { generateVerifierArtifacts, type VerifierArtifacts } from "./generate.js";
import { deployVerifierArtifacts, type DeployClients, type DeployedVerifier } from "./deploy.js";

export interface BundleVerifierPlan extends VerifierArtifacts {
  desc: CircuitDescription;
  srs: SrsVerifierParams;
}

/** Describes the bundle's circuit (cached as circuit.json in the bundle) and generates its verifying artifact. */
export async function verifierArtifactsForBundle(bundleDir: string): Promise<BundleVerifierPlan> {
  const desc = await describeBundle(bundleDir);
  const srs = readSrsVerifierParams(new Uint8Array(fs.readFileSync(bundleFiles(bundleDir).srs)));
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
