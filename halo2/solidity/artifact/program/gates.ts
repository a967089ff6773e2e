// Gate polynomials, one constraint each, in the constraint system's order.
import type { CircuitDescription } from "../../../circuit/types.js";
import type { ProgramBuilder } from "./builder.js";

export function emitGates(p: ProgramBuilder, desc: CircuitDescription): void {
  for (const g of desc.cs.gates) {
    p.expr(g);
    p.emit();
  }
}
