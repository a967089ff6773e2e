// Encodes a CircuitDescription (+ the SRS's g1/g2/s_g2) as the "verifying artifact" that the circuit-independent
// Solidity verifier (contracts/verifiers/halo2/Halo2Verifier.sol) interprets. Layout (all offsets in bytes from the
// payload start; words are 32-byte big-endian):
//
//   header: HEADER_WORDS words (see H below), then the extra-chunk addresses (one word each)
//   vk points: fixed commitments then permutation (sigma) commitments, x‖y each (identity = 0‖0)
//   constants: field elements used by the constraint program
//   program: postfix bytecode computing every constraint, folded with y (EMIT = acc·y + top)
//   shplonk: the distinct opening rotations (as ω^rot), then each rotation set: its points, its Lagrange
//            denominators, and each commitment (base reference + per-point evaluation source)
//
// The program reproduces, in order, the constraints of halo2/verify/verifier.ts: gates, permutation, mv-lookups.
import { FQ_MODULUS, FR_DELTA, FR_MODULUS, inv, mul, parseHex, pow, sub } from "../field.js";
import type { CircuitDescription, Expr, G1Hex } from "../circuit/types.js";
import type { SrsVerifierParams } from "../circuit/encoding.js";

export class ArtifactError extends Error {
  constructor(message: string) {
    super(`verifying artifact: ${message}`);
    this.name = "ArtifactError";
  }
}

export const ARTIFACT_VERSION = 2n;
/** Header word indices (keep in sync with Halo2Verifier.sol). */
export const H = {
  version: 0,
  digest: 1,
  k: 2,
  omega: 3,
  omegaInv: 4,
  nInv: 5,
  numInstances: 6,
  proofLength: 7,
  scalarsStart: 8,
  h1Offset: 9,
  hOffset: 10,
  hCount: 11,
  blindingFactors: 12,
  programOffset: 13,
  constantsOffset: 14,
  shplonkOffset: 15,
  vkPointsOffset: 16,
  numVkPoints: 17,
  g1: 18, // 2 words
  negG2: 20, // 4 words: x.c1, x.c0, y.c1, y.c0 (EIP-197 order)
  sG2: 24, // 4 words
  challenges: 28, // 8 words: proof bytes absorbed before each squeeze
  numExtraChunks: 36,
  totalLength: 37,
} as const;
export const HEADER_WORDS = 38;

/**
 * Program opcodes (keep in sync with Halo2Verifier.sol). The verifier keeps the top of the stack in a register and
 * lays out one memory table of words: [16 variables][16 registers][the proof's scalars][the constants]. Operand ops
 * carry a u16 word index into that table: PUSH pushes the word, ADD_TO/SUB_FROM/MUL_BY apply it to the top, STORE
 * writes the top to it and pops. Stack ops combine the top two entries (second ∘ top).
 */
export const OP = {
  END: 0,
  PUSH: 1,
  ADD_TO: 2,
  SUB_FROM: 3,
  MUL_BY: 4,
  ADD: 5,
  SUB: 6,
  MUL: 7,
  NEG: 8,
  EMIT: 9,
  STORE: 10,
} as const;
/** Word indices of the operand table. */
export const TABLE = { variables: 0, registers: 16, scalars: 32 } as const;
/** Program variables computed by the verifier before running the program. */
export const VAR = { theta: 0, beta: 1, gamma: 2, x: 3, l0: 4, lLast: 5, active: 6, instanceEval: 7, betaX: 8 } as const;
export const MAX_STACK = 64;
export const MAX_REGISTERS = 16;
/** Commitment base kinds in the SHPLONK section. */
export const BASE = { proofPoint: 0, vkPoint: 1, quotient: 2 } as const;
/** Evaluation source meaning "the quotient evaluation the verifier computed". */
export const EVAL_H = 0xffff;
/** Runtime code of a data contract starts with STOP so it can never be executed meaningfully. */
export const MAX_CHUNK_PAYLOAD = 24576 - 1;

const CHALLENGE_ORDER = ["theta", "beta", "gamma", "y", "x", "shplonk_y", "shplonk_v", "shplonk_u"];

class Writer {
  bytes: number[] = [];
  u8(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ArtifactError(`u8 out of range: ${v}`);
    this.bytes.push(v);
  }
  u16(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ArtifactError(`u16 out of range: ${v}`);
    this.bytes.push(v >> 8, v & 0xff);
  }
  word(v: bigint): void {
    if (v < 0n || v >= 1n << 256n) throw new ArtifactError(`word out of range: ${v}`);
    for (let i = 31; i >= 0; i--) this.bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  get length(): number {
    return this.bytes.length;
  }
}

/** A value the program can read directly as an operand. */
type Operand = { src: "proof"; offset: number } | { src: "constant"; value: bigint } | { src: "variable"; id: number } | { src: "register"; r: number };
type Kind = "push" | "add" | "sub" | "mul";

/** Compiles the constraint system into postfix bytecode with fused operand ops. */
class ProgramBuilder {
  readonly code = new Writer();
  readonly constants: bigint[] = [];
  private readonly constIndex = new Map<bigint, number>();
  private depth = 0;
  maxDepth = 0;
  maxRegister = -1;
  emits = 0;

  /** Word-table layout: the proof's scalars [scalarsStart, scalarsEnd) then the constants. */
  constructor(
    private readonly evalOffset: (section: string, i: number) => number,
    private readonly scalarsStart: number,
    private readonly scalarsEnd: number,
  ) {}

  private get numScalars(): number {
    return (this.scalarsEnd - this.scalarsStart) / 32;
  }

  private index(o: Operand): number {
    switch (o.src) {
      case "variable":
        if (o.id < 0 || o.id >= 16) throw new ArtifactError(`variable ${o.id} out of range`);
        return TABLE.variables + o.id;
      case "register":
        if (o.r < 0 || o.r >= MAX_REGISTERS) throw new ArtifactError(`more than ${MAX_REGISTERS} registers needed`);
        this.maxRegister = Math.max(this.maxRegister, o.r);
        return TABLE.registers + o.r;
      case "proof":
        if (o.offset < this.scalarsStart || o.offset >= this.scalarsEnd || (o.offset - this.scalarsStart) % 32 !== 0) {
          throw new ArtifactError(`proof offset ${o.offset} is not a scalar`);
        }
        return TABLE.scalars + (o.offset - this.scalarsStart) / 32;
      case "constant":
        return TABLE.scalars + this.numScalars + this.constantIndex(o.value);
    }
  }

  private constantIndex(v: bigint): number {
    const c = ((v % FR_MODULUS) + FR_MODULUS) % FR_MODULUS;
    let i = this.constIndex.get(c);
    if (i === undefined) {
      i = this.constants.length;
      this.constants.push(c);
      this.constIndex.set(c, i);
    }
    return i;
  }

  /** PUSH / ADD_TO / SUB_FROM / MUL_BY with an operand. */
  op(kind: Kind, o: Operand): void {
    this.code.u8({ push: OP.PUSH, add: OP.ADD_TO, sub: OP.SUB_FROM, mul: OP.MUL_BY }[kind]);
    this.code.u16(this.index(o));
    if (kind === "push") {
      this.depth++;
      this.maxDepth = Math.max(this.maxDepth, this.depth);
      if (this.maxDepth > MAX_STACK) throw new ArtifactError(`expression needs more than ${MAX_STACK} stack slots`);
    } else if (this.depth < 1) throw new ArtifactError("operand op on an empty stack (compiler bug)");
  }
  push(o: Operand): void {
    this.op("push", o);
  }
  /** Combines the top two entries: second ∘ top. */
  stack(kind: "add" | "sub" | "mul"): void {
    if (this.depth < 2) throw new ArtifactError("stack op with fewer than two entries (compiler bug)");
    this.code.u8({ add: OP.ADD, sub: OP.SUB, mul: OP.MUL }[kind]);
    this.depth--;
  }
  negate(): void {
    this.code.u8(OP.NEG);
  }
  emit(): void {
    this.code.u8(OP.EMIT);
    this.depth--;
    this.emits++;
    if (this.depth !== 0) throw new ArtifactError(`stack depth ${this.depth} after a constraint (compiler bug)`);
  }
  store(r: number): void {
    this.code.u8(OP.STORE);
    this.code.u16(this.index({ src: "register", r }));
    this.depth--;
  }
  end(): void {
    if (this.depth !== 0) throw new ArtifactError("program ends with a non-empty stack (compiler bug)");
    this.code.u8(OP.END);
  }

  /** The expression as a direct operand, when it is a leaf. */
  leaf(e: Expr): Operand | null {
    switch (e.t) {
      case "const":
        return { src: "constant", value: parseHex(e.v) };
      case "fixed":
        return { src: "proof", offset: this.evalOffset("fixed_evals", e.query) };
      case "advice":
        return { src: "proof", offset: this.evalOffset("advice_evals", e.query) };
      case "instance":
        if (e.column !== 0 || e.rotation !== 0) throw new ArtifactError("only instance column 0 at rotation 0 is supported");
        return { src: "variable", id: VAR.instanceEval };
      default:
        return null;
    }
  }

  /** top ∘= e (e computed on the stack unless it is a leaf). */
  apply(kind: "add" | "sub" | "mul", e: Expr): void {
    const l = this.leaf(e);
    if (l) return this.op(kind, l);
    this.expr(e);
    this.stack(kind);
  }

  expr(e: Expr): void {
    const l = this.leaf(e);
    if (l) return this.push(l);
    switch (e.t) {
      case "neg":
        this.expr(e.a);
        return this.negate();
      case "scaled":
        this.expr(e.a);
        return this.op("mul", { src: "constant", value: parseHex(e.s) });
      case "sum":
        if (e.b.t === "neg") {
          this.expr(e.a);
          return this.apply("sub", e.b.a);
        }
        if (e.a.t === "neg") {
          this.expr(e.b);
          return this.apply("sub", e.a.a);
        }
        if (this.leaf(e.b) || !this.leaf(e.a)) {
          this.expr(e.a);
          return this.apply("add", e.b);
        }
        this.expr(e.b);
        return this.apply("add", e.a);
      case "prod":
        if (this.leaf(e.b) || !this.leaf(e.a)) {
          this.expr(e.a);
          return this.apply("mul", e.b);
        }
        this.expr(e.b);
        return this.apply("mul", e.a);
      case "selector":
      case "challenge":
        throw new ArtifactError(`unsupported expression node '${e.t}'`);
      default:
        throw new ArtifactError("unknown expression node");
    }
  }
}

function g1Words(p: G1Hex | null): [bigint, bigint] {
  return p === null ? [0n, 0n] : [parseHex(p.x), parseHex(p.y)];
}

export interface VerifyingArtifact {
  /** The whole payload (what the verifier reassembles in memory). */
  payload: Uint8Array;
  /** Payload split into data-contract chunks; chunk 0 is the artifact address the adapter binds. */
  chunkCount: number;
  stats: { programBytes: number; constants: number; constraints: number; maxStack: number; vkPoints: number; shplonkBytes: number };
}

/** Payload layout and program for a description; extra-chunk addresses are filled in by `encodeArtifact`. */
export function encodeArtifact(desc: CircuitDescription, srs: SrsVerifierParams, extraChunkAddresses: string[] = []): VerifyingArtifact {
  const { cs, derived: d } = desc;
  if (cs.numInstanceColumns !== 1) throw new ArtifactError(`exactly one instance column is supported, the circuit has ${cs.numInstanceColumns}`);
  if (!desc.instanceCounts || desc.instanceCounts.length !== 1) throw new ArtifactError("the circuit's instance count is unknown");
  if (cs.numChallenges > 0 || cs.shuffles.length > 0) throw new ArtifactError("multi-phase circuits and shuffles are not supported");
  const sections = new Map(d.proofSections.map((s) => [s.name, s]));
  const sec = (name: string) => {
    const s = sections.get(name);
    if (!s) throw new ArtifactError(`proof section ${name} is missing`);
    return s;
  };
  const evalOffset = (name: string, i: number) => {
    const s = sec(name);
    if (i < 0 || i >= s.count) throw new ArtifactError(`${name}[${i}] is out of range`);
    return s.offset + 32 * i;
  };

  // Proof layout assumptions the verifier relies on: points, then scalars, then h1 and h2 (points).
  const scalarsStart = sec("advice_evals").offset;
  const h1Offset = sec("shplonk_h1").offset;
  for (const s of d.proofSections) {
    const size = s.kind === "point" ? 64 : 32;
    const inPoints = s.offset + s.count * size <= scalarsStart || s.offset >= h1Offset;
    if ((s.kind === "point") !== inPoints) throw new ArtifactError(`unexpected proof layout at section ${s.name}`);
  }
  if (sec("shplonk_h2").offset !== h1Offset + 64 || d.proofLength !== h1Offset + 128) throw new ArtifactError("unexpected proof tail");
  if (d.proofLength > 0xffff) throw new ArtifactError("proof too long for 16-bit offsets");
  const challengeOffsets = CHALLENGE_ORDER.map((name, i) => {
    const c = d.challenges[i];
    if (!c || c.name !== name) throw new ArtifactError(`challenge ${i} should be ${name}`);
    return c.afterProofBytes;
  });

  // --- constraint program ---
  const p = new ProgramBuilder(evalOffset, scalarsStart, h1Offset);
  const P = (offset: number): Operand => ({ src: "proof", offset });
  const K = (value: bigint): Operand => ({ src: "constant", value });
  const V = (id: number): Operand => ({ src: "variable", id });
  const Reg = (r: number): Operand => ({ src: "register", r });
  for (const g of cs.gates) {
    p.expr(g);
    p.emit();
  }
  const C = d.permutationChunks;
  const zEval = (i: number, which: 0 | 1 | 2) => P(evalOffset("permutation_z_evals", 3 * i + which));
  if (C > 0) {
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
  // mv-lookups: registers 0 = τ, 1 = Πf, 2.. = f_i; compress = Horner in θ
  const compress = (es: Expr[]) => {
    if (es.length === 0) throw new ArtifactError("empty lookup expression list");
    p.expr(es[0]);
    for (const e of es.slice(1)) {
      p.op("mul", V(VAR.theta));
      p.apply("add", e);
    }
  };
  cs.lookups.forEach((arg, li) => {
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
  p.end();

  // --- SHPLONK section ---
  const omega = parseHex(desc.omega);
  const omegaInv = parseHex(desc.omegaInv);
  const rootOf = (rot: number) => (rot >= 0 ? pow(omega, BigInt(rot)) : pow(omegaInv, BigInt(-rot)));
  const rotations: number[] = [];
  for (const o of d.openings) if (!rotations.includes(o.rotation)) rotations.push(o.rotation);
  const sh = new Writer();
  sh.u8(rotations.length);
  for (const r of rotations) sh.word(rootOf(r));
  sh.u8(d.rotationSets.length);
  const numFixed = desc.fixedCommitments.length;
  const evalSource = (commitment: string, rotation: number) => {
    const o = d.openings.find((x) => x.commitment === commitment && x.rotation === rotation);
    if (!o) throw new ArtifactError(`no opening of ${commitment} at rotation ${rotation}`);
    return o.evalOffset === null ? EVAL_H : o.evalOffset;
  };
  const pointOffset = (name: string, i: number) => {
    const s = sec(name);
    if (i < 0 || i >= s.count) throw new ArtifactError(`${name}[${i}] is out of range`);
    return s.offset + 64 * i;
  };
  for (const set of d.rotationSets) {
    sh.u8(set.rotations.length);
    for (const r of set.rotations) sh.u8(rotations.indexOf(r));
    // C_k = 1 / Π_{l≠k} (ω^{r_k} − ω^{r_l}); the verifier multiplies by x^{-(m-1)} and Π_{l≠k} (u − x·ω^{r_l}).
    for (const rk of set.rotations) {
      let den = 1n;
      for (const rl of set.rotations) if (rl !== rk) den = mul(den, sub(rootOf(rk), rootOf(rl)));
      sh.word(inv(den));
    }
    sh.u8(set.commitments.length);
    for (const c of set.commitments) {
      const [kind, idxText] = c.split(":");
      const i = Number(idxText);
      if (c === "h") {
        sh.u8(BASE.quotient);
        sh.u16(0);
      } else if (kind === "fixed" || kind === "sigma") {
        sh.u8(BASE.vkPoint);
        sh.u16(kind === "fixed" ? i : numFixed + i);
      } else {
        const section = { advice: "advice_commitments", perm_z: "permutation_z_commitments", phi: "lookup_phi_commitments", m: "lookup_m_commitments", random: "vanishing_random_commitment" }[kind];
        if (!section) throw new ArtifactError(`unknown commitment ${c}`);
        sh.u8(BASE.proofPoint);
        sh.u16(pointOffset(section, kind === "random" ? 0 : i));
      }
      for (const r of set.rotations) sh.u16(evalSource(c, r));
    }
  }

  // --- assemble ---
  const vkPoints = [...desc.fixedCommitments, ...desc.permutationCommitments];
  const headerBytes = 32 * (HEADER_WORDS + extraChunkAddresses.length);
  const vkPointsOffset = headerBytes;
  const constantsOffset = vkPointsOffset + 64 * vkPoints.length;
  const programOffset = constantsOffset + 32 * p.constants.length;
  const shplonkOffset = programOffset + p.code.length;
  const totalLength = shplonkOffset + sh.length;

  const g2 = (v: { x: [string, string]; y: [string, string] }, negate: boolean) => {
    const [x0, x1, y0, y1] = [v.x[0], v.x[1], v.y[0], v.y[1]].map(parseHex);
    const ny = (y: bigint) => (negate && y !== 0n ? FQ_MODULUS - y : y);
    return [x1, x0, ny(y1), ny(y0)];
  };
  const header: bigint[] = new Array(HEADER_WORDS).fill(0n);
  header[H.version] = ARTIFACT_VERSION;
  header[H.digest] = parseHex(desc.vkDigest);
  header[H.k] = BigInt(desc.k);
  header[H.omega] = omega;
  header[H.omegaInv] = omegaInv;
  header[H.nInv] = inv(BigInt(desc.n));
  header[H.numInstances] = BigInt(desc.instanceCounts[0]);
  header[H.proofLength] = BigInt(d.proofLength);
  header[H.scalarsStart] = BigInt(scalarsStart);
  header[H.h1Offset] = BigInt(h1Offset);
  header[H.hOffset] = BigInt(sec("vanishing_h_commitments").offset);
  header[H.hCount] = BigInt(sec("vanishing_h_commitments").count);
  header[H.blindingFactors] = BigInt(d.blindingFactors);
  header[H.programOffset] = BigInt(programOffset);
  header[H.constantsOffset] = BigInt(constantsOffset);
  header[H.shplonkOffset] = BigInt(shplonkOffset);
  header[H.vkPointsOffset] = BigInt(vkPointsOffset);
  header[H.numVkPoints] = BigInt(vkPoints.length);
  const g1 = g1Words(srs.g1);
  header[H.g1] = g1[0];
  header[H.g1 + 1] = g1[1];
  g2(srs.g2, true).forEach((w, i) => (header[H.negG2 + i] = w));
  g2(srs.sG2, false).forEach((w, i) => (header[H.sG2 + i] = w));
  challengeOffsets.forEach((o, i) => (header[H.challenges + i] = BigInt(o)));
  header[H.numExtraChunks] = BigInt(extraChunkAddresses.length);
  header[H.totalLength] = BigInt(totalLength);

  const w = new Writer();
  for (const h of header) w.word(h);
  for (const a of extraChunkAddresses) w.word(parseHex(a));
  for (const pt of vkPoints) g1Words(pt).forEach((v) => w.word(v));
  for (const c of p.constants) w.word(c);
  w.bytes.push(...p.code.bytes);
  w.bytes.push(...sh.bytes);
  if (w.length !== totalLength) throw new ArtifactError(`length ${w.length} != ${totalLength} (encoder bug)`);
  return {
    payload: Uint8Array.from(w.bytes),
    chunkCount: 1 + extraChunkAddresses.length,
    stats: {
      programBytes: p.code.length,
      constants: p.constants.length,
      constraints: p.emits,
      maxStack: p.maxDepth,
      vkPoints: vkPoints.length,
      shplonkBytes: sh.length,
    },
  };
}
