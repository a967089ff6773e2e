// Halo2 (zkonduit fork, mv-lookup) PLONK verifier for EZKL v21 proofs with the EVM transcript and SHPLONK KZG.
// Read order, checks and query order follow halo2's plonk/verifier.rs; every failure is a reason, never a throw.
import { add, batchInv, FR_DELTA, FR_MODULUS, inv, mul, parseHex, pow, powers, sub } from "../field.js";
import type { CircuitDescription, Expr } from "../circuit/types.js";
import type { SrsVerifierParams } from "../circuit/encoding.js";
import { assertSupported } from "../circuit/layout.js";
import { evaluateExpr, type QueryValues } from "./expression.js";
import { G1, g1FromHex, g2FromHex, kzgPairingCheck, msm, type G1Point, type G2Point } from "./curve.js";
import { ProofReader, ProofRejected, type AffinePoint } from "./proof-reader.js";
import { shplonkRightMsm, type LinComb, type OpeningQuery } from "./shplonk.js";
import { KeccakTranscript } from "./transcript.js";

/** Optional hook for tests and tooling: sees every challenge as it is squeezed. */
export interface VerifierObserver {
  challenge(name: string, value: bigint, proofBytesConsumed: number): void;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** The SRS part a verifier needs: g2 and s_g2 (and g[0], which defaults to the G1 generator). */
export type VerifierSrs = Pick<SrsVerifierParams, "g2" | "sG2"> & { g1?: SrsVerifierParams["g1"] };

interface PreparedKey {
  fixed: G1Point[];
  sigma: G1Point[];
  g1: G1Point;
  g2: G2Point;
  sG2: G2Point;
  omega: bigint;
  omegaInv: bigint;
  digest: bigint;
}

const preparedCache = new WeakMap<CircuitDescription, WeakMap<object, PreparedKey>>();

function prepare(desc: CircuitDescription, srs: VerifierSrs): PreparedKey {
  let bySrs = preparedCache.get(desc);
  if (!bySrs) preparedCache.set(desc, (bySrs = new WeakMap()));
  const hit = bySrs.get(srs);
  if (hit) return hit;
  // Fail closed on a hand-made description with arguments this verifier does not check (it would ignore them).
  assertSupported(desc.cs);
  const p: PreparedKey = {
    fixed: desc.fixedCommitments.map((c, i) => g1FromHex(c, `fixed commitment ${i}`)),
    sigma: desc.permutationCommitments.map((c, i) => g1FromHex(c, `permutation commitment ${i}`)),
    g1: srs.g1 ? g1FromHex(srs.g1, "srs g1") : G1.BASE,
    g2: g2FromHex(srs.g2, "srs g2"),
    sG2: g2FromHex(srs.sG2, "srs s_g2"),
    omega: parseHex(desc.omega),
    omegaInv: parseHex(desc.omegaInv),
    digest: parseHex(desc.vkDigest),
  };
  bySrs.set(srs, p);
  return p;
}

function rotate(x: bigint, rotation: number, key: PreparedKey): bigint {
  return rotation >= 0 ? mul(x, pow(key.omega, BigInt(rotation))) : mul(x, pow(key.omegaInv, BigInt(-rotation)));
}

/** Lagrange basis values L_i(x) = ω^i (x^n − 1) / (n (x − ω^i)) for each rotation i. */
function lagrangeAt(x: bigint, xn: bigint, n: number, rotations: number[], key: PreparedKey): bigint[] {
  const denoms = batchInv(rotations.map((r) => sub(x, rotate(1n, r, key))));
  const common = mul(sub(xn, 1n), inv(BigInt(n)));
  return rotations.map((r, i) => {
    if (denoms[i] === 0n) throw new ProofRejected("x is a root of unity of the domain");
    return rotate(mul(denoms[i], common), r, key);
  });
}

function checkInstances(desc: CircuitDescription, instances: bigint[][]): void {
  if (!Array.isArray(instances) || instances.length !== desc.cs.numInstanceColumns) {
    throw new ProofRejected(`expected ${desc.cs.numInstanceColumns} instance column(s), got ${Array.isArray(instances) ? instances.length : "none"}`);
  }
  instances.forEach((col, c) => {
    if (!Array.isArray(col)) throw new ProofRejected(`instance column ${c} is not an array`);
    if (desc.instanceCounts && col.length !== desc.instanceCounts[c]) {
      throw new ProofRejected(`instance column ${c} has ${col.length} values, the circuit expects ${desc.instanceCounts[c]}`);
    }
    if (col.length > desc.n) throw new ProofRejected(`instance column ${c} is longer than the domain`);
    col.forEach((v, i) => {
      if (typeof v !== "bigint" || v < 0n || v >= FR_MODULUS) throw new ProofRejected(`instance [${c}][${i}] is not a canonical field element`);
    });
  });
}

function toPoint(p: AffinePoint): G1Point {
  return G1.fromAffine(p);
}

/** Verifies a proof; returns the reason on failure. Never throws. */
export function verifyProofDetailed(
  desc: CircuitDescription,
  proof: Uint8Array,
  instances: bigint[][],
  srs: VerifierSrs,
  observer?: VerifierObserver,
): VerifyResult {
  try {
    return runVerifier(desc, proof, instances, srs, observer);
  } catch (e) {
    const reason = e instanceof ProofRejected ? e.message : `verifier error: ${(e as Error)?.message ?? String(e)}`;
    return { ok: false, reason };
  }
}

export function verifyProof(desc: CircuitDescription, proof: Uint8Array, instances: bigint[][], srs: VerifierSrs): boolean {
  return verifyProofDetailed(desc, proof, instances, srs).ok;
}

function runVerifier(desc: CircuitDescription, proof: Uint8Array, instances: bigint[][], srs: VerifierSrs, observer?: VerifierObserver): VerifyResult {
  if (!(proof instanceof Uint8Array)) throw new ProofRejected("proof is not a byte array");
  const { cs, derived: d } = desc;
  if (proof.length !== d.proofLength) throw new ProofRejected(`proof is ${proof.length} bytes, the circuit's proofs are ${d.proofLength}`);
  checkInstances(desc, instances);
  const key = prepare(desc, srs);

  // --- transcript replay ---
  const transcript = new KeccakTranscript();
  transcript.absorbScalar(key.digest);
  for (const col of instances) for (const v of col) transcript.absorbScalar(v);
  const r = new ProofReader(proof, transcript);
  const squeeze = (name: string): bigint => {
    const c = transcript.squeeze();
    observer?.challenge(name, c, r.position);
    return c;
  };
  const L = cs.lookups.length;
  const C = d.permutationChunks;

  const adviceCommitments = r.readPoints(cs.numAdviceColumns, "advice commitment");
  const theta = squeeze("theta");
  const mCommitments = r.readPoints(L, "lookup m commitment");
  const beta = squeeze("beta");
  const gamma = squeeze("gamma");
  const zCommitments = r.readPoints(C, "permutation z commitment");
  const phiCommitments = r.readPoints(L, "lookup phi commitment");
  const randomCommitment = r.readPoint("vanishing random commitment");
  const y = squeeze("y");
  const hCommitments = r.readPoints(d.quotientPieces, "vanishing h commitment");
  const x = squeeze("x");
  const adviceEvals = r.readScalars(cs.adviceQueries.length, "advice eval");
  const fixedEvals = r.readScalars(cs.fixedQueries.length, "fixed eval");
  const randomEval = r.readScalar("vanishing random eval");
  const sigmaEvals = r.readScalars(cs.permutationColumns.length, "permutation sigma eval");
  const zSets: { eval: bigint; next: bigint; last: bigint | null }[] = [];
  for (let i = 0; i < C; i++) {
    const ev = r.readScalar(`permutation z[${i}](x)`);
    const next = r.readScalar(`permutation z[${i}](ωx)`);
    const last = i < C - 1 ? r.readScalar(`permutation z[${i}](ω^last x)`) : null;
    zSets.push({ eval: ev, next, last });
  }
  const lookupEvals: { phi: bigint; phiNext: bigint; m: bigint }[] = [];
  for (let i = 0; i < L; i++) {
    lookupEvals.push({ phi: r.readScalar(`lookup phi[${i}](x)`), phiNext: r.readScalar(`lookup phi[${i}](ωx)`), m: r.readScalar(`lookup m[${i}](x)`) });
  }
  const shY = squeeze("shplonk_y");
  const shV = squeeze("shplonk_v");
  const h1 = r.readPoint("SHPLONK h1");
  const shU = squeeze("shplonk_u");
  const h2 = r.readPoint("SHPLONK h2");
  if (r.position !== proof.length) throw new ProofRejected("trailing bytes after the proof");

  // --- vanishing argument: fold every constraint with y, compare with h(x) ---
  const n = desc.n;
  const xn = pow(x, BigInt(n));
  if (xn === 1n) throw new ProofRejected("x^n = 1");
  const bf = d.blindingFactors;
  const lRot: number[] = [];
  for (let i = -(bf + 1); i <= 0; i++) lRot.push(i);
  const lEvals = lagrangeAt(x, xn, n, lRot, key);
  const lLast = lEvals[0];
  const lBlind = lEvals.slice(1, 1 + bf).reduce(add, 0n);
  const l0 = lEvals[1 + bf];

  const maxInstance = instances.reduce((m, c) => Math.max(m, c.length), 0);
  const lInst = maxInstance > 0 ? lagrangeAt(x, xn, n, [...Array(maxInstance).keys()], key) : [];
  const instanceEvals = cs.instanceQueries.map((q) => instances[q.column].reduce((acc, v, j) => add(acc, mul(v, lInst[j])), 0n));

  const values: QueryValues = { advice: adviceEvals, fixed: fixedEvals, instance: instanceEvals, challenges: [] };
  const constraints: bigint[] = [];
  for (const g of cs.gates) constraints.push(evaluateExpr(g, values));

  // permutation argument
  const activeRows = sub(1n, add(lLast, lBlind));
  if (C > 0) {
    constraints.push(mul(l0, sub(1n, zSets[0].eval)));
    const lastZ = zSets[C - 1].eval;
    constraints.push(mul(sub(mul(lastZ, lastZ), lastZ), lLast));
    for (let i = 1; i < C; i++) constraints.push(mul(sub(zSets[i].eval, zSets[i - 1].last!), l0));
    const columnEval = (j: number): bigint => {
      const col = cs.permutationColumns[j];
      const qi = d.permutationQueryIndex[j];
      return col.type === "advice" ? adviceEvals[qi] : col.type === "fixed" ? fixedEvals[qi] : instanceEvals[qi];
    };
    for (let i = 0; i < C; i++) {
      const start = i * d.permutationChunkLen;
      const end = Math.min(start + d.permutationChunkLen, cs.permutationColumns.length);
      let left = zSets[i].next;
      let right = zSets[i].eval;
      let delta = mul(mul(beta, x), pow(FR_DELTA, BigInt(start)));
      for (let j = start; j < end; j++) {
        const ev = columnEval(j);
        left = mul(left, add(add(ev, mul(beta, sigmaEvals[j])), gamma));
        right = mul(right, add(add(ev, delta), gamma));
        delta = mul(delta, FR_DELTA);
      }
      constraints.push(mul(sub(left, right), activeRows));
    }
  }

  // mv-lookup (logUp) arguments
  const compress = (es: Expr[]) => es.reduce((acc, e) => add(mul(acc, theta), evaluateExpr(e, values)), 0n);
  cs.lookups.forEach((arg, i) => {
    const ev = lookupEvals[i];
    const f = arg.inputs.map((set) => add(compress(set), beta));
    const tau = add(compress(arg.table), beta);
    if (tau === 0n) throw new ProofRejected(`lookup ${i}: table term is zero`);
    const prodF = f.reduce(mul, 1n);
    const sumInv = batchInv(f).reduce(add, 0n);
    const lhs = mul(mul(tau, prodF), sub(ev.phiNext, ev.phi));
    const rhs = mul(mul(tau, prodF), sub(sumInv, mul(ev.m, inv(tau))));
    constraints.push(mul(l0, ev.phi));
    constraints.push(mul(lLast, ev.phi));
    constraints.push(mul(sub(lhs, rhs), activeRows));
  });

  const folded = constraints.reduce((acc, c) => add(mul(acc, y), c), 0n);
  const expectedHEval = mul(folded, inv(sub(xn, 1n)));

  // --- openings, in halo2's query order ---
  const commitments = new Map<string, LinComb>();
  const bases = new Map<string, G1Point>();
  const base = (k: string, p: G1Point) => {
    bases.set(k, p);
    commitments.set(k, new Map([[k, 1n]]));
  };
  adviceCommitments.forEach((p, i) => base(`advice:${i}`, toPoint(p)));
  zCommitments.forEach((p, i) => base(`perm_z:${i}`, toPoint(p)));
  phiCommitments.forEach((p, i) => base(`phi:${i}`, toPoint(p)));
  mCommitments.forEach((p, i) => base(`m:${i}`, toPoint(p)));
  key.fixed.forEach((p, i) => base(`fixed:${i}`, p));
  key.sigma.forEach((p, i) => base(`sigma:${i}`, p));
  base("random", toPoint(randomCommitment));
  const hComb: LinComb = new Map();
  const xnPowers = powers(xn, hCommitments.length);
  hCommitments.forEach((p, i) => {
    bases.set(`h:${i}`, toPoint(p));
    hComb.set(`h:${i}`, xnPowers[i]);
  });
  commitments.set("h", hComb);

  // Openings in halo2's query order, as listed by the description (the same list a code generator uses).
  const pointCache = new Map<number, bigint>();
  const pointAt = (rotation: number) => {
    let p = pointCache.get(rotation);
    if (p === undefined) pointCache.set(rotation, (p = rotate(x, rotation, key)));
    return p;
  };
  const queries: OpeningQuery[] = d.openings.map((o) => ({
    commitment: o.commitment,
    point: pointAt(o.rotation),
    eval: o.evalOffset === null ? expectedHEval : r.scalarAt(o.evalOffset),
  }));

  const right = shplonkRightMsm(queries, commitments, { y: shY, v: shV, u: shU });
  bases.set("g1", key.g1);
  bases.set("h1", toPoint(h1));
  const h2Point = toPoint(h2);
  bases.set("h2", h2Point);
  const pts: G1Point[] = [];
  const scalars: bigint[] = [];
  for (const [k, s] of right) {
    pts.push(bases.get(k)!);
    scalars.push(s);
  }
  const rightPoint = msm(pts, scalars);
  if (!kzgPairingCheck(h2Point, rightPoint, key.g2, key.sG2)) throw new ProofRejected("multi-opening (KZG pairing) check failed");
  return { ok: true };
}
