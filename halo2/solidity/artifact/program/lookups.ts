// The mv-lookup (logUp) arguments of the zkonduit fork, three constraints each: l0·φ, l_last·φ and the logUp
// identity, expanded without inversions. EZKL's "shuffles" and dynamic lookups are lookups of this kind too (their
// tables are selector-gated advice columns), so they need nothing else here.
import type { CircuitDescription, Expr } from "../../../circuit/types.js";
import { ArtifactError, VAR } from "../format.js";
import { K, P, Reg, V, type ProgramBuilder } from "./builder.js";

export function emitLookups(p: ProgramBuilder, desc: CircuitDescription): void {
  const { evalOffset } = p.layout;
  // registers 0 = τ, 1 = Πf, 2.. = f_i; compress = Horner in θ
  const compress = (es: Expr[]) => {
    if (es.length === 0) throw new ArtifactError("empty lookup expression list");
    p.expr(es[0]);
    for (const e of es.slice(1)) {
      p.op("mul", V(VAR.theta));
      p.apply("add", e);
    }
  };
  desc.cs.lookups.forEach((arg, li) => {
    const phi = P(evalOffset("lookup_evals", 3 * li));
    const phiNext = P(evalOffset("lookup_evals", 3 * li + 1));
    const m = P(evalOffset("lookup_evals", 3 * li + 2));
    p.push(V(VAR.l0));
    p.op("mul", phi);
    p.emit();
    p.push(V(VAR.lLast));
    p.op("mul", phi);
    p.emit();
    const k = arg.inputs.length;
    if (k === 0) throw new ArtifactError(`lookup ${li} has no input sets`);
    arg.inputs.forEach((set, i) => {
      compress(set);
      p.op("add", V(VAR.beta));
      p.store(2 + i);
    });
    compress(arg.table);
    p.op("add", V(VAR.beta));
    p.store(0);
    p.push(Reg(2));
    for (let i = 1; i < k; i++) p.op("mul", Reg(2 + i));
    p.store(1);
    // τ·Πf·(φ(ωx) − φ(x)) − τ·Σ_i Π_{j≠i} f_j + m·Πf   (= τ·Πf·(Δφ − Σ1/f_i + m/τ))
    p.push(Reg(0));
    p.op("mul", Reg(1));
    p.push(phiNext);
    p.op("sub", phi);
    p.stack("mul");
    for (let i = 0; i < k; i++) {
      const others = [...Array(k).keys()].filter((j) => j !== i);
      if (others.length === 0) p.push(K(1n));
      else {
        p.push(Reg(2 + others[0]));
        for (const j of others.slice(1)) p.op("mul", Reg(2 + j));
      }
      if (i > 0) p.stack("add");
    }
    p.op("mul", Reg(0));
    p.stack("sub");
    p.push(m);
    p.op("mul", Reg(1));
    p.stack("add");
    p.op("mul", V(VAR.active));
    p.emit();
  });
}
