// BN254 group helpers over @noble/curves: validated G1/G2 construction, MSM, and the KZG pairing check.
import { bn254 } from "@noble/curves/bn254.js";
import { pippenger } from "@noble/curves/abstract/curve.js";
import { FQ_MODULUS, parseHex } from "../field.js";
import type { G1Hex } from "../circuit/types.js";
import type { G2Hex } from "../circuit/encoding.js";

export const G1 = bn254.G1.Point;
export const G2 = bn254.G2.Point;
export type G1Point = InstanceType<typeof G1>;
export type G2Point = InstanceType<typeof G2>;

/** y^2 = x^3 + 3 with canonical coordinates; the identity is not accepted. */
export function isOnG1(x: bigint, y: bigint): boolean {
  if (x >= FQ_MODULUS || y >= FQ_MODULUS) return false;
  return (y * y - (x * x * x + 3n)) % FQ_MODULUS === 0n;
}

export function g1FromHex(p: G1Hex | null, what: string): G1Point {
  if (p === null) return G1.ZERO;
  const x = parseHex(p.x);
  const y = parseHex(p.y);
  if (!isOnG1(x, y)) throw new Error(`${what} is not a point on G1`);
  return G1.fromAffine({ x, y });
}

export function g2FromHex(p: G2Hex, what: string): G2Point {
  const pt = G2.fromAffine({
    x: bn254.fields.Fp2.create({ c0: parseHex(p.x[0]), c1: parseHex(p.x[1]) }),
    y: bn254.fields.Fp2.create({ c0: parseHex(p.y[0]), c1: parseHex(p.y[1]) }),
  });
  pt.assertValidity();
  if (pt.is0()) throw new Error(`${what} is the identity`);
  return pt;
}

export function msm(points: G1Point[], scalars: bigint[]): G1Point {
  const ps: G1Point[] = [];
  const ss: bigint[] = [];
  for (let i = 0; i < points.length; i++) {
    if (scalars[i] === 0n || points[i].is0()) continue;
    ps.push(points[i]);
    ss.push(scalars[i]);
  }
  if (ps.length === 0) return G1.ZERO;
  return pippenger(G1, ps, ss);
}

type G2Lines = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;
const g2Lines = new WeakMap<G2Point, G2Lines>();
const negG2Lines = new WeakMap<G2Point, G2Lines>();

/**
 * The Miller-loop line coefficients of `p` (or of −p), validated and computed once per point object: a verifier
 * checks many proofs against the same two SRS points, and the G2 subgroup check and line precomputation that
 * pairingBatch redoes on every call were an eighth of a verification.
 */
function linesOf(p: G2Point, negate: boolean): G2Lines {
  const cache = negate ? negG2Lines : g2Lines;
  let lines = cache.get(p);
  if (!lines) {
    p.assertValidity();
    if (p.is0()) throw new Error("pairing with the G2 identity");
    lines = bn254.utils.calcPairingPrecomputes(negate ? p.negate() : p);
    cache.set(p, lines);
  }
  return lines;
}

/** e(left, s_g2) · e(right, −g2) == 1, i.e. e(left, s_g2) == e(right, g2). */
export function kzgPairingCheck(left: G1Point, right: G1Point, g2: G2Point, sG2: G2Point): boolean {
  if (left.is0() || right.is0()) return left.is0() && right.is0();
  left.assertValidity();
  right.assertValidity();
  const l = left.toAffine();
  const r = right.toAffine();
  const { Fp12 } = bn254.fields;
  const gt = Fp12.finalExponentiate(
    bn254.millerLoopBatch([
      [linesOf(sG2, false), l.x, l.y],
      [linesOf(g2, true), r.x, r.y],
    ]),
  );
  return Fp12.eql(gt, Fp12.ONE);
}
