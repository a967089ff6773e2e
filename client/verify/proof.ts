/**
 * The proof check of an offline verification: the project's TypeScript Halo2 verifier (halo2/verify) with the
 * circuit description of the registered verifying key and the bundle's SRS. No engine, no Node module: it runs in
 * a browser as in Node.
 */
import { readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { loadCircuitDescription } from "../../halo2/circuit/load.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import { descriptionVkMismatch } from "../../halo2/circuit/vkMatch.js";
import { verifyProofDetailed } from "../../halo2/verify/verifier.js";
import type { BundleSource, VerificationCheck } from "./bundle.js";

/** Where the circuit description comes from: given, or `circuit.json` in the bundle (halo2's describeBundle cache). */
export type CircuitSource = CircuitDescription | { source: BundleSource; path?: string };

/**
 * Loads and validates the circuit description (halo2's loadCircuitDescription) and checks it belongs to the
 * registered VK bytes (k, selector compression, every commitment). Its gates are taken as given: only
 * describeCircuit (Node, with the engine) derives them from the registered compiled circuit.
 */
export async function loadCircuit(from: CircuitSource, vk: Uint8Array): Promise<{ desc: CircuitDescription | null; check: VerificationCheck }> {
  const fail = (detail: string) => ({ desc: null, check: { name: "circuit", status: "fail" as const, detail } });
  let desc: CircuitDescription;
  try {
    let json: unknown = from;
    if ("source" in from) {
      const path = from.path ?? "circuit.json";
      json = JSON.parse(new TextDecoder().decode(await from.source.read(path)));
    }
    // describeBundle caches { vkSha256, description }; a bare description works too
    const inner = (json as { description?: unknown }).description ?? json;
    desc = loadCircuitDescription(inner);
  } catch (err) {
    return fail(`circuit description: ${(err as Error).message}`);
  }
  const mismatch = descriptionVkMismatch(desc, vk);
  if (mismatch) return fail(`circuit description does not belong to the registered verifying key: ${mismatch}`);
  return { desc, check: { name: "circuit", status: "pass", detail: `k=${desc.k}, ${desc.fixedCommitments.length} fixed and ${desc.permutationCommitments.length} permutation commitments equal the registered VK's` } };
}

/** Verifies `proof` for `instances` (one instance column) with the TS Halo2 verifier. Never throws. */
export function checkProof(desc: CircuitDescription, srs: Uint8Array, proof: Uint8Array, instances: bigint[]): VerificationCheck {
  const t0 = Date.now();
  let result;
  try {
    result = verifyProofDetailed(desc, proof, [instances], readSrsVerifierParams(srs));
  } catch (err) {
    return { name: "proof", status: "fail", detail: `cannot verify: ${(err as Error).message}` };
  }
  const ms = Date.now() - t0;
  return result.ok
    ? { name: "proof", status: "pass", detail: `Halo2 proof (${proof.length} bytes) verifies for the request's ${instances.length} public instances (${ms} ms)` }
    : { name: "proof", status: "fail", detail: `the proof does not verify: ${result.reason}` };
}
