// BDFG21 / SHPLONK multi-open verification (halo2 VerifierSHPLONK) reduced to one KZG pairing check.
// Commitments are linear combinations of named base points; grouping follows halo2: commitments in order of
// first appearance, rotation sets (sets of points) in order of first appearance.
import { add, batchInv, inv, mul, neg, powers, sub } from "../field.js";
import { ProofRejected } from "./proof-reader.js";

/** A commitment as Σ scalar·base[key]. */
export type LinComb = Map<string, bigint>;

export interface OpeningQuery {
  commitment: string;
  point: bigint;
  eval: bigint;
}

interface RotationSet {
  points: bigint[];
  commitments: string[];
}

export function groupRotationSets(queries: OpeningQuery[]): { sets: RotationSet[]; superPoints: bigint[] } {
  const superPoints: bigint[] = [];
  const byCommitment = new Map<string, bigint[]>();
  for (const q of queries) {
    if (!superPoints.includes(q.point)) superPoints.push(q.point);
    const pts = byCommitment.get(q.commitment);
    if (!pts) byCommitment.set(q.commitment, [q.point]);
    else if (!pts.includes(q.point)) pts.push(q.point);
  }
  const sets: RotationSet[] = [];
  const sameSet = (a: bigint[], b: bigint[]) => a.length === b.length && a.every((p) => b.includes(p));
  for (const [commitment, pts] of byCommitment) {
    const s = sets.find((r) => sameSet(r.points, pts));
    if (s) s.commitments.push(commitment);
    else sets.push({ points: pts, commitments: [commitment] });
  }
  return { sets, superPoints };
}

/** Value at u of the polynomial interpolating (points[i], evals[i]). */
function interpolateAt(points: bigint[], evals: bigint[], u: bigint): bigint {
  let acc = 0n;
  for (let j = 0; j < points.length; j++) {
    let num = 1n;
    let den = 1n;
    for (let k = 0; k < points.length; k++) {
      if (k === j) continue;
      num = mul(num, sub(u, points[k]));
      den = mul(den, sub(points[j], points[k]));
    }
    acc = add(acc, mul(evals[j], mul(num, inv(den))));
  }
  return acc;
}

function vanishingAt(roots: bigint[], u: bigint): bigint {
  return roots.reduce((acc, r) => mul(acc, sub(u, r)), 1n);
}

export interface ShplonkChallenges {
  y: bigint;
  v: bigint;
  u: bigint;
}

/**
 * Returns the right-hand MSM (as a linear combination over base keys plus "g1", "h1", "h2") such that the proof is
 * valid iff e(h2, s_g2) == e(right, g2).
 */
export function shplonkRightMsm(
  queries: OpeningQuery[],
  commitments: Map<string, LinComb>,
  ch: ShplonkChallenges,
): LinComb {
  const { sets, superPoints } = groupRotationSets(queries);
  const evalOf = (c: string, p: bigint): bigint => {
    const q = queries.find((q) => q.commitment === c && q.point === p);
    if (!q) throw new Error(`no query for ${c}`);
    return q.eval;
  };
  const out: LinComb = new Map();
  const addTerm = (key: string, s: bigint) => out.set(key, add(out.get(key) ?? 0n, s));
  const vPowers = powers(ch.v, sets.length);
  let z0 = 0n;
  let z0DiffInv = 0n;
  let rOuter = 0n;
  sets.forEach((set, i) => {
    const diffs = superPoints.filter((p) => !set.points.includes(p));
    let zDiff = vanishingAt(diffs, ch.u);
    if (i === 0) {
      z0 = vanishingAt(set.points, ch.u);
      if (zDiff === 0n) throw new ProofRejected("SHPLONK: z_diff_0 is zero");
      z0DiffInv = batchInv([zDiff])[0];
      zDiff = 1n;
    } else {
      zDiff = mul(zDiff, z0DiffInv);
    }
    const yPowers = powers(ch.y, set.commitments.length);
    let rInner = 0n;
    const scale = mul(vPowers[i], zDiff);
    set.commitments.forEach((c, j) => {
      const evals = set.points.map((p) => evalOf(c, p));
      rInner = add(rInner, mul(yPowers[j], interpolateAt(set.points, evals, ch.u)));
      const lc = commitments.get(c);
      if (!lc) throw new Error(`unknown commitment ${c}`);
      const s = mul(yPowers[j], scale);
      for (const [key, coeff] of lc) addTerm(key, mul(coeff, s));
    });
    rOuter = add(rOuter, mul(rInner, scale));
  });
  addTerm("g1", neg(rOuter));
  addTerm("h1", neg(z0));
  addTerm("h2", ch.u);
  return out;
}
