// Quantities derived from the constraint system: degree, blinding factors, permutation chunks, and the exact
// proof layout (which elements the verifier reads, in transcript order, and where challenges are squeezed).
import type { ConstraintSystem, DerivedParameters, Expr, Opening, ProofSection, ChallengeStep, RotationSet } from "./types.js";

export class UnsupportedCircuitError extends Error {
  constructor(message: string) {
    super(`unsupported circuit: ${message}`);
    this.name = "UnsupportedCircuitError";
  }
}

export function exprDegree(e: Expr): number {
  switch (e.t) {
    case "const":
    case "challenge":
      return 0;
    case "selector":
    case "fixed":
    case "advice":
    case "instance":
      return 1;
    case "neg":
    case "scaled":
      return exprDegree(e.a);
    case "sum":
      return Math.max(exprDegree(e.a), exprDegree(e.b));
    case "prod":
      return exprDegree(e.a) + exprDegree(e.b);
  }
}

/** halo2 mv_lookup::Argument::required_degree. */
function lookupDegree(table: Expr[], inputs: Expr[][]): number {
  const maxDeg = (es: Expr[]) => es.reduce((m, e) => Math.max(m, exprDegree(e)), 0);
  const inputsDegree = inputs.reduce((s, set) => s + maxDeg(set), 0);
  const lhs = maxDeg(table) + inputsDegree + 1;
  return Math.max(3 + inputs.length, lhs + 1);
}

/** halo2 ConstraintSystem::degree (permutation requires 3; halo2 shuffle arguments would add theirs). */
export function csDegree(cs: ConstraintSystem): number {
  let d = 3;
  for (const l of cs.lookups) d = Math.max(d, lookupDegree(l.table, l.inputs));
  for (const s of cs.shuffles) {
    const maxDeg = (es: Expr[]) => es.reduce((m, e) => Math.max(m, exprDegree(e)), 0);
    d = Math.max(d, Math.max(maxDeg(s.inputs), maxDeg(s.shuffles)) + 2);
  }
  for (const g of cs.gates) d = Math.max(d, exprDegree(g));
  return Math.max(d, cs.minimumDegree ?? 1);
}

/** halo2 ConstraintSystem::blinding_factors: max advice queries per column (≥3), +1 for multiopen, +1 spare. */
export function blindingFactors(cs: ConstraintSystem): number {
  const perColumn = new Array<number>(cs.numAdviceColumns).fill(0);
  for (const q of cs.adviceQueries) perColumn[q.column]++;
  const factors = Math.max(3, perColumn.reduce((m, v) => Math.max(m, v), 1));
  return factors + 2;
}

/**
 * Rejects features this verifier does not implement (they would change the read order or the checks). EZKL v21
 * emits none of them: its shuffles (MaxPool, Softmax, sorting) and dynamic lookups are phase-0 mv-lookups over
 * selector-gated advice tables, which are verified like any lookup; every public value is in one instance column.
 */
export function assertSupported(cs: ConstraintSystem): void {
  if (cs.numChallenges > 0 || cs.adviceColumnPhase.some((p) => p !== 0)) {
    throw new UnsupportedCircuitError("multi-phase advice / user challenges (EZKL v21 never emits them; no engine can prove such a circuit to test against)");
  }
  if (cs.shuffles.length > 0) {
    throw new UnsupportedCircuitError("halo2 shuffle arguments (EZKL v21 never emits them: its MaxPool/Softmax shuffles are mv-lookups, which are supported)");
  }
  if (cs.instanceQueries.some((q) => q.rotation !== 0)) throw new UnsupportedCircuitError("rotated instance queries");
  const check = (e: Expr, where: string): void => {
    if (e.t === "selector") throw new UnsupportedCircuitError(`${where} uses a virtual selector`);
    if (e.t === "neg" || e.t === "scaled") check(e.a, where);
    if (e.t === "sum" || e.t === "prod") {
      check(e.a, where);
      check(e.b, where);
    }
  };
  cs.gates.forEach((g, i) => check(g, `gate ${i}`));
  cs.lookups.forEach((l, i) => [...l.table, ...l.inputs.flat()].forEach((e) => check(e, `lookup ${i}`)));
}

function queryIndexOf(cs: ConstraintSystem, type: "advice" | "fixed" | "instance", column: number): number {
  const list = type === "advice" ? cs.adviceQueries : type === "fixed" ? cs.fixedQueries : cs.instanceQueries;
  const i = list.findIndex((q) => q.column === column && q.rotation === 0);
  if (i < 0) throw new UnsupportedCircuitError(`permutation column ${type}[${column}] has no rotation-0 query`);
  return i;
}

export function deriveParameters(cs: ConstraintSystem): DerivedParameters {
  assertSupported(cs);
  const degree = csDegree(cs);
  const chunkLen = degree - 2;
  const chunks = Math.ceil(cs.permutationColumns.length / chunkLen);
  const L = cs.lookups.length;
  const sections: ProofSection[] = [];
  const challenges: ChallengeStep[] = [];
  let offset = 0;
  const read = (name: string, kind: "point" | "scalar", count: number) => {
    if (count === 0) return;
    sections.push({ name, kind, count, offset });
    offset += count * (kind === "point" ? 64 : 32);
  };
  const squeeze = (name: string) => challenges.push({ name, afterProofBytes: offset });

  read("advice_commitments", "point", cs.numAdviceColumns);
  squeeze("theta");
  read("lookup_m_commitments", "point", L);
  squeeze("beta");
  squeeze("gamma");
  read("permutation_z_commitments", "point", chunks);
  read("lookup_phi_commitments", "point", L);
  read("vanishing_random_commitment", "point", 1);
  squeeze("y");
  read("vanishing_h_commitments", "point", degree - 1);
  squeeze("x");
  read("advice_evals", "scalar", cs.adviceQueries.length);
  read("fixed_evals", "scalar", cs.fixedQueries.length);
  read("vanishing_random_eval", "scalar", 1);
  read("permutation_sigma_evals", "scalar", cs.permutationColumns.length);
  read("permutation_z_evals", "scalar", chunks > 0 ? 3 * chunks - 1 : 0);
  read("lookup_evals", "scalar", 3 * L);
  squeeze("shplonk_y");
  squeeze("shplonk_v");
  read("shplonk_h1", "point", 1);
  squeeze("shplonk_u");
  read("shplonk_h2", "point", 1);

  const bf = blindingFactors(cs);
  const openings = openingOrder(cs, sections, chunks, bf);
  return {
    csDegree: degree,
    quotientPieces: degree - 1,
    blindingFactors: bf,
    permutationChunkLen: chunkLen,
    permutationChunks: chunks,
    permutationQueryIndex: cs.permutationColumns.map((c) => queryIndexOf(cs, c.type, c.index)),
    proofLength: offset,
    proofSections: sections,
    challenges,
    openings,
    rotationSets: groupByRotations(openings),
  };
}

/** halo2 verify_proof's query order: advice, permutation z's, lookups, fixed, sigma, vanishing. */
function openingOrder(cs: ConstraintSystem, sections: ProofSection[], chunks: number, bf: number): Opening[] {
  const at = (name: string, i: number) => {
    const s = sections.find((x) => x.name === name);
    if (!s || i >= s.count) throw new Error(`layout: ${name}[${i}] is not in the proof`);
    return s.offset + 32 * i;
  };
  const out: Opening[] = [];
  cs.adviceQueries.forEach((q, i) => out.push({ commitment: `advice:${q.column}`, rotation: q.rotation, evalOffset: at("advice_evals", i) }));
  // z evals are stored per set as z(x), z(ωx) and, for all but the last set, z(ω^last x).
  const zBase = (i: number) => 3 * i;
  for (let i = 0; i < chunks; i++) {
    out.push({ commitment: `perm_z:${i}`, rotation: 0, evalOffset: at("permutation_z_evals", zBase(i)) });
    out.push({ commitment: `perm_z:${i}`, rotation: 1, evalOffset: at("permutation_z_evals", zBase(i) + 1) });
  }
  for (let i = chunks - 2; i >= 0; i--) out.push({ commitment: `perm_z:${i}`, rotation: -(bf + 1), evalOffset: at("permutation_z_evals", zBase(i) + 2) });
  cs.lookups.forEach((_, i) => {
    out.push({ commitment: `phi:${i}`, rotation: 0, evalOffset: at("lookup_evals", 3 * i) });
    out.push({ commitment: `phi:${i}`, rotation: 1, evalOffset: at("lookup_evals", 3 * i + 1) });
    out.push({ commitment: `m:${i}`, rotation: 0, evalOffset: at("lookup_evals", 3 * i + 2) });
  });
  cs.fixedQueries.forEach((q, i) => out.push({ commitment: `fixed:${q.column}`, rotation: q.rotation, evalOffset: at("fixed_evals", i) }));
  cs.permutationColumns.forEach((_, i) => out.push({ commitment: `sigma:${i}`, rotation: 0, evalOffset: at("permutation_sigma_evals", i) }));
  out.push({ commitment: "h", rotation: 0, evalOffset: null });
  out.push({ commitment: "random", rotation: 0, evalOffset: at("vanishing_random_eval", 0) });
  return out;
}

/** Distinct rotations give distinct points (|rotation| < n), so grouping by rotation equals halo2's grouping by point. */
export function groupByRotations(openings: Opening[]): RotationSet[] {
  const byCommitment = new Map<string, number[]>();
  for (const o of openings) {
    const r = byCommitment.get(o.commitment);
    if (!r) byCommitment.set(o.commitment, [o.rotation]);
    else if (!r.includes(o.rotation)) r.push(o.rotation);
  }
  const sets: RotationSet[] = [];
  for (const [commitment, rotations] of byCommitment) {
    const s = sets.find((x) => x.rotations.length === rotations.length && x.rotations.every((r) => rotations.includes(r)));
    if (s) s.commitments.push(commitment);
    else sets.push({ rotations, commitments: [commitment] });
  }
  return sets;
}
