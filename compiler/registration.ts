/**
 * From a bundle to the ModelRegistry's `ModelSpec` (protocol/modelSpec.ts), used by scripts/register-model.ts and
 * the devnet, so every path registers a bundle the same way. Hashes, shapes and scales come from the one mapping
 * in protocol/modelBinding.ts (the same one that checks a bundle against a registered model); the options add how
 * the model is verified and sold. The admitted input domain (inputLower, inputUpper) and the tolerance come from
 * manifest.admission (compiler/domain.ts): never typed by hand; a larger tolerance may be asked for, never a smaller
 * one.
 */
import { getAddress, isAddress, zeroAddress, type Address } from "viem";

import { VerificationMode, verificationModeNames, type VerificationModeName } from "../protocol/enums.js";
import { modelBinding } from "../protocol/modelBinding.js";
import { tensorLength, tensorProblem, type ModelSpec } from "../protocol/modelSpec.js";
import { BundleManifestError, manifestIssuesError, parseManifest, readManifest, type Issue, type ReadManifest } from "./manifest.js";

/** What the bundle does not say: how the model is verified and sold. */
export interface RegistrationOptions {
  mode: VerificationModeName;
  /** IProofVerifier address; required for ZKML_ONCHAIN and OPTIMISTIC, must be absent/zero for ZKML_ATTESTED. */
  verifier?: Address;
  price: bigint;
  /**
   * Max |fast - proven| per output element, in fixed-point units at the output scale. Defaults to the bundle's
   * (manifest.admission.tolerance); a smaller one is refused (it would slash honest executors).
   */
  tolerance?: bigint;
}

export type LoadedManifest = ReadManifest & { dir: string };

/** Reads `<dir>/manifest.json` (compiler/manifest.ts) and checks it against the registry's limits. */
export async function loadBundleManifest(dir: string): Promise<LoadedManifest> {
  const loaded = readManifest(dir);
  checkRegistrable(loaded, `${dir}/manifest.json`);
  return loaded;
}

/** Validates manifest bytes for registration and returns the manifest with its hash. */
export function parseBundleManifest(bytes: Uint8Array, source = "manifest.json"): ReadManifest {
  const parsed = parseManifest(bytes, source);
  checkRegistrable(parsed, source);
  return parsed;
}

/** Throws BundleManifestError naming each input/output the ModelRegistry would refuse (rank, length, scale). */
function checkRegistrable({ manifest }: ReadManifest, source: string): void {
  const issues = [tensorProblem("input", manifest.input.shape, manifest.input.scale), tensorProblem("output", manifest.output.shape, manifest.output.scale)].filter(
    (i): i is Issue => i !== null,
  );
  const domain = manifest.admission;
  const length = tensorLength(manifest.input.shape);
  if (domain && domain.lower.length !== 1 && domain.lower.length !== length) {
    issues.push({ path: "admission.lower", message: `must have one bound per input element (${length}) or one for all` });
  }
  if (issues.length) throw manifestIssuesError(issues, source);
}

/** The registry spec for a validated manifest plus the registration options. */
export function manifestToModelSpec(loaded: ReadManifest, options: RegistrationOptions): ModelSpec {
  const { manifest, manifestHash } = loaded;
  const source = `bundle ${manifest.name}`;
  const mode = VerificationMode[options.mode];
  if (mode === undefined) {
    throw new BundleManifestError(`unknown verification mode ${String(options.mode)} (use ${verificationModeNames.join(", ")})`, source);
  }
  const verifier = options.verifier ?? zeroAddress;
  if (!isAddress(verifier, { strict: false })) throw new BundleManifestError(`verifier ${verifier} is not an address`, source);
  const needsVerifier = options.mode !== "ZKML_ATTESTED";
  if (needsVerifier && verifier === zeroAddress) {
    throw new BundleManifestError(`mode ${options.mode} needs a verifier contract address`, source);
  }
  if (!needsVerifier && verifier !== zeroAddress) {
    throw new BundleManifestError(`mode ZKML_ATTESTED takes no verifier contract (got ${verifier})`, source);
  }
  if (options.price < 0n) throw new BundleManifestError(`price ${options.price} is negative`, source);
  const batch = manifest.batch ?? 1;
  // a batch proof is verified by the hub (submitBatchProof) or committed for attestation (commitBatchProof); an
  // OPTIMISTIC challenge is per request
  if (batch > 1 && options.mode === "OPTIMISTIC") {
    throw new BundleManifestError(`is a batch-${batch} version: OPTIMISTIC challenges are per request, batch proofs need ZKML_ONCHAIN or ZKML_ATTESTED`, source);
  }
  const domain = manifest.admission;
  if (!domain) {
    throw new BundleManifestError(
      "has no admission (input domain and tolerance): rebuild it with this compiler (npx twinpath model build …) so the registry knows which inputs prove; " +
        "if the build logged 'no admitted input domain', one of the model's ops has no interval rule in compiler/domain.ts yet",
      source,
    );
  }
  const minimum = BigInt(domain.tolerance);
  const tolerance = options.tolerance ?? minimum;
  if (tolerance < minimum) {
    throw new BundleManifestError(`tolerance ${tolerance} is below the bundle's ${minimum}: honest executors would be slashed`, source);
  }
  return {
    ...modelBinding(manifest, manifestHash),
    mode,
    verifier: getAddress(verifier),
    price: options.price,
    tolerance,
    inputLower: domain.lower.map(BigInt),
    inputUpper: domain.upper.map(BigInt),
    batch,
  };
}
