// The "transcript" section of Halo2Verifier.sol squeezes 8 challenges, each after a fixed number of proof bytes.
import type { CircuitDescription } from "../../circuit/types.js";
import { ArtifactError } from "./format.js";

export const CHALLENGE_ORDER = ["theta", "beta", "gamma", "y", "x", "shplonk_y", "shplonk_v", "shplonk_u"] as const;

/** Proof bytes absorbed before each squeeze, in CHALLENGE_ORDER. */
export function challengeOffsets(desc: CircuitDescription): number[] {
  return CHALLENGE_ORDER.map((name, i) => {
    const c = desc.derived.challenges[i];
    if (!c || c.name !== name) throw new ArtifactError(`challenge ${i} should be ${name}`);
    return c.afterProofBytes;
  });
}
