// The permutation (copy-constraint) argument, as halo2's permutation verifier orders it: l0·(1 − z0),
// l_last·(z_last² − z_last), the links between chunks, then one grand-product step per chunk.
import { FR_DELTA, pow } from "../../../field.js";
import type { CircuitDescription } from "../../../circuit/types.js";
import { ArtifactError, VAR } from "../format.js";
import { K, P, V, type Operand, type ProgramBuilder } from "./builder.js";

export function emitPermutation(p: ProgramBuilder, desc: CircuitDescription): void {
  const { cs, derived: d } = desc;
  const { evalOffset } = p.layout;
  const C = d.permutationChunks;
  if (C === 0) return;
  const zEval = (i: number, which: 0 | 1 | 2) => P(evalOffset("permutation_z_evals", 3 * i + which));
  // l0·(1 − z0(x))
  p.push(K(1n));
  p.op("sub", zEval(0, 0));
  p.op("mul", V(VAR.l0));
  p.emit();
  // l_last·(z_last² − z_last)
  p.push(zEval(C - 1, 0));
  p.op("mul", zEval(C - 1, 0));
  p.op("sub", zEval(C - 1, 0));
  p.op("mul", V(VAR.lLast));
  p.emit();
  // l0·(z_i(x) − z_{i−1}(ω^last x))
  for (let i = 1; i < C; i++) {
    p.push(zEval(i, 0));
    p.op("sub", zEval(i - 1, 2));
    p.op("mul", V(VAR.l0));
    p.emit();
  }
  const columnEval = (j: number): Operand => {
    const col = cs.permutationColumns[j];
    const qi = d.permutationQueryIndex[j];
    if (col.type === "advice") return P(evalOffset("advice_evals", qi));
    if (col.type === "fixed") return P(evalOffset("fixed_evals", qi));
    if (col.index !== 0) throw new ArtifactError("permutation over an instance column other than 0");
    return V(VAR.instanceEval);
  };
  for (let i = 0; i < C; i++) {
    const start = i * d.permutationChunkLen;
    const end = Math.min(start + d.permutationChunkLen, cs.permutationColumns.length);
    // left = z(ωx)·Π(v_j + β·σ_j + γ)
    p.push(zEval(i, 1));
    for (let j = start; j < end; j++) {
      p.push(V(VAR.beta));
      p.op("mul", P(evalOffset("permutation_sigma_evals", j)));
      p.op("add", columnEval(j));
      p.op("add", V(VAR.gamma));
      p.stack("mul");
    }
    // right = z(x)·Π(v_j + β·x·δ^j + γ)
    p.push(zEval(i, 0));
    for (let j = start; j < end; j++) {
      p.push(V(VAR.betaX));
      p.op("mul", K(pow(FR_DELTA, BigInt(j))));
      p.op("add", columnEval(j));
      p.op("add", V(VAR.gamma));
      p.stack("mul");
    }
    p.stack("sub");
    p.op("mul", V(VAR.active));
    p.emit();
  }
}
