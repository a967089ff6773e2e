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

/** e(left, s_g2) · e(right, −g2) == 1, i.e. e(left, s_g2) == e(right, g2). */
export function kzgPairingCheck(left: G1Point, right: G1Point, g2: G2Point, sG2: G2Point): boolean {
  if (left.is0() || right.is0()) return left.is0() && right.is0();
  const gt = bn254.pairingBatch([
    { g1: left, g2: sG2 },
    { g1: right, g2: g2.negate() },
  ]);
  return bn254.fields.Fp12.eql(gt, bn254.fields.Fp12.ONE);
}
