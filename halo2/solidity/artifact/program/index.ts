// The constraint program (Halo2Verifier.sol _runProgram): every constraint in the order of halo2/verify/verifier.ts
// (gates, permutation, lookups), folded with y by EMIT.
import type { CircuitDescription } from "../../../circuit/types.js";
import type { ProofLayout } from "../inputs.js";
import { ProgramBuilder } from "./builder.js";
import { emitGates } from "./gates.js";
import { emitLookups } from "./lookups.js";
import { emitPermutation } from "./permutation.js";

export function compileConstraintProgram(desc: CircuitDescription, layout: ProofLayout): ProgramBuilder {
  const p = new ProgramBuilder(layout);
  emitGates(p, desc);
  emitPermutation(p, desc);
  emitLookups(p, desc);
  p.end();
  return p;
}
