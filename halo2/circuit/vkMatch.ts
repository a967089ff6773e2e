// Does a stored circuit description belong to these verifying-key bytes? The checks describeCircuit makes on the
// pinned text (build.ts), made on a description instead, without the engine: for a verifier that is handed a
// circuit.json (a browser) and holds the registered VK bytes. Pure (no Node modules).
import { parseVkBytes } from "./encoding.js";
import type { CircuitDescription, G1Hex } from "./types.js";

const samePoint = (a: G1Hex | null, b: G1Hex | null) => (a === null || b === null ? a === b : a.x === b.x && a.y === b.y);

/**
 * Why `desc` does not match the VK bytes, or null when it does: the VK parses with the description's permutation
 * columns and selectors (exact length), and k, selector compression, every fixed and permutation commitment agree.
 * The gates themselves are not in the VK bytes (halo2 re-derives them from the circuit); only describeCircuit,
 * which re-runs the engine on the compiled circuit, derives them.
 */
export function descriptionVkMismatch(desc: CircuitDescription, vkBytes: Uint8Array): string | null {
  let vk;
  try {
    vk = parseVkBytes(vkBytes, desc.cs.permutationColumns.length, desc.cs.numSelectors);
  } catch (e) {
    return (e as Error).message;
  }
  if (vk.k !== desc.k) return `the VK says k=${vk.k}, the description k=${desc.k}`;
  if (vk.compressSelectors !== desc.compressSelectors) return "selector compression differs between the VK and the description";
  if (vk.fixedCommitments.length !== desc.fixedCommitments.length || !vk.fixedCommitments.every((p, i) => samePoint(p, desc.fixedCommitments[i]))) {
    return "fixed commitments differ between the VK and the description";
  }
  if (vk.permutationCommitments.length !== desc.permutationCommitments.length || !vk.permutationCommitments.every((p, i) => samePoint(p, desc.permutationCommitments[i]))) {
    return "permutation commitments differ between the VK and the description";
  }
  return null;
}
