// Compiles constraint expressions into the postfix bytecode that Halo2Verifier.sol's _runProgram interprets, with
// fused operand ops (an operand that is a leaf is read straight from the word table instead of being pushed).
import { FR_MODULUS, parseHex } from "../../../field.js";
import type { Expr } from "../../../circuit/types.js";
import { ArtifactError, MAX_REGISTERS, MAX_STACK, OP, TABLE, VAR, Writer } from "../format.js";
import type { ProofLayout } from "../inputs.js";

/** A value the program can read directly as an operand. */
export type Operand = { src: "proof"; offset: number } | { src: "constant"; value: bigint } | { src: "variable"; id: number } | { src: "register"; r: number };
type Kind = "push" | "add" | "sub" | "mul";

/** Operand shorthands: a proof scalar at a byte offset, a field constant, a program variable, a register. */
export const P = (offset: number): Operand => ({ src: "proof", offset });
export const K = (value: bigint): Operand => ({ src: "constant", value });
export const V = (id: number): Operand => ({ src: "variable", id });
export const Reg = (r: number): Operand => ({ src: "register", r });

export class ProgramBuilder {
  readonly code = new Writer();
  readonly constants: bigint[] = [];
  private readonly constIndex = new Map<bigint, number>();
  private depth = 0;
  maxDepth = 0;
  maxRegister = -1;
  emits = 0;

  /** Word-table layout: the proof's scalars [scalarsStart, h1Offset) then the constants. */
  constructor(readonly layout: ProofLayout) {}

  private get numScalars(): number {
    return (this.layout.h1Offset - this.layout.scalarsStart) / 32;
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
      case "proof": {
        const { scalarsStart, h1Offset } = this.layout;
        if (o.offset < scalarsStart || o.offset >= h1Offset || (o.offset - scalarsStart) % 32 !== 0) {
          throw new ArtifactError(`proof offset ${o.offset} is not a scalar`);
        }
        return TABLE.scalars + (o.offset - scalarsStart) / 32;
      }
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
  /** Folds the top into the accumulator (acc = acc·y + top): one constraint. */
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
        return K(parseHex(e.v));
      case "fixed":
        return P(this.layout.evalOffset("fixed_evals", e.query));
      case "advice":
        return P(this.layout.evalOffset("advice_evals", e.query));
      case "instance":
        if (e.column !== 0 || e.rotation !== 0) throw new ArtifactError("only instance column 0 at rotation 0 is supported");
        return V(VAR.instanceEval);
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

  /** Pushes the value of e. Sums with a negated side become subtractions; leaves are applied as operands. */
  expr(e: Expr): void {
    const l = this.leaf(e);
    if (l) return this.push(l);
    switch (e.t) {
      case "neg":
        this.expr(e.a);
        return this.negate();
      case "scaled":
        this.expr(e.a);
        return this.op("mul", K(parseHex(e.s)));
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
