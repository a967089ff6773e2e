/**
 * The lowering context: the growing list of ezkl nodes, the ONNX name -> value map, and the two rules
 * every op shares — constants are quantized round_half_away_from_zero(x · 2^scale), and an output scale
 * above max(input_scale, param_scale) is wrapped in RebaseScale{ Div(2^excess) } (ezkl's rebase rule).
 * Each node keeps a float kernel and its value on a dummy input, so shapes propagate and the lowered
 * graph can be simulated on samples without the engine.
 */
import { roundFixedPoint } from "../../protocol/fixedPoint.js";
import type { OnnxAttribute, OnnxNode, OnnxTensor } from "../onnx/read.js";
import { CompileError, UnsupportedOpError } from "./errors.js";
import type { IrNode, LookupOp, LowerOptions, OpKind, Value } from "./ir.js";
import { tensor, type Tensor } from "./tensor.js";

const pow2 = (s: number) => 2 ** s;

/** ezkl quantization of constants: the protocol's one fixed-point rule (round half away from zero of f32(x)·2^scale). */
export const quantize = roundFixedPoint;

export const fromOnnx = (t: OnnxTensor): Tensor => tensor(t.dims, t.data);

const isObj = (v: OpKind): v is { readonly [key: string]: OpKind } => typeof v === "object" && v !== null && !Array.isArray(v);
/** ezkl's SupportedOp::is_identity: a Linear Identity, possibly inside Rescaled. */
function isIdentity(op: OpKind): boolean {
  if (!isObj(op)) return false;
  const lin = op.Linear;
  if (isObj(lin) && "Identity" in lin) return true;
  const r = op.Rescaled;
  return isObj(r) && isIdentity(r.inner);
}

type NewNode = Omit<IrNode, "idx" | "numUses" | "outDims">;
/** What an op may add to a node besides its op kind, scale, inputs and kernel. */
export type NodeExtras = Pick<IrNode, "lookup" | "rangeChecks" | "shuffle">;

/** Graph-wide state of one lowering run. */
export class LoweringContext {
  readonly nodes: IrNode[] = [];
  readonly lookups: LookupOp[] = [];
  /** scale every rebase returns to: max(input_scale, param_scale) */
  readonly globalScale: number;
  private readonly values = new Map<string, Value>();
  /** each node's value on the dummy input (shape propagation) */
  private readonly dummy: Tensor[] = [];

  constructor(readonly opts: LowerOptions, readonly opset: number, readonly supportedOps: readonly string[]) {
    this.globalScale = Math.max(opts.inputScale, opts.paramScale);
  }

  get paramScale(): number {
    return this.opts.paramScale;
  }

  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  setValue(name: string, v: Value): void {
    this.values.set(name, v);
  }

  scaleOf(idx: number): number {
    return this.nodes[idx].outScale;
  }

  dimsOf(idx: number): number[] {
    return this.nodes[idx].outDims;
  }

  push(n: NewNode, value: Tensor): number {
    const idx = this.nodes.length;
    this.nodes.push({ ...n, idx, numUses: 0, outDims: value.dims.length ? [...value.dims] : [1] });
    this.dummy.push(value);
    return idx;
  }

  /** A Fixed constant node holding `t` quantized at `scale`. */
  constant(t: Tensor, scale: number, source: string): number {
    const q = Array.from(t.data, (x) => quantize(x, scale));
    const deq = tensor(t.dims, q.map((v) => v / pow2(scale)));
    return this.push(
      {
        opkind: {
          Constant: {
            quantized_values: { inner: q.map((v) => BigInt(v)), dims: t.dims.length ? t.dims : [1], scale, visibility: "Fixed" },
            raw_values: { inner: [], dims: [0], scale: null, visibility: null },
            decomp: false,
          },
        },
        outScale: scale, inputs: [], label: "Constant", source, kernel: () => deq,
      },
      deq,
    );
  }

  /** Add an op node; applies ezkl's rebase rule when `outScaleRaw` exceeds the global scale. */
  op(opkind: OpKind, outScaleRaw: number, inputs: number[], kernel: IrNode["kernel"], label: string, source: string, extra: NodeExtras = {}): number {
    let value: Tensor;
    try {
      value = kernel(inputs.map((i) => this.dummy[i]));
    } catch (e) {
      throw new CompileError(`node '${source}' (${label}): ${(e as Error).message}`);
    }
    const global = this.globalScale;
    // ezkl never rebases an Identity: a scale shift (x/2^k read at a finer scale) stays at its scale
    if (outScaleRaw > global && !isIdentity(opkind)) {
      const m = pow2(outScaleRaw - global);
      return this.push(
        {
          opkind: { RebaseScale: { inner: opkind, rebase_op: { Div: { denom: m } }, target_scale: global, original_scale: outScaleRaw, multiplier: m } },
          outScale: global, inputs, kernel, label: `RebaseScale(${label})`, source, originalScale: outScaleRaw, ...extra,
        },
        value,
      );
    }
    return this.push({ opkind, outScale: outScaleRaw, inputs, kernel, label, source, ...extra }, value);
  }

  /**
   * An op whose inputs `homogeneous` must share a scale (ezkl: Add/Sub, Concat, Iff branches, Max/Min,
   * comparisons): when they differ, the lower-scale ones are multiplied up (ezkl's Rescaled wrapper).
   * Returns the op kind to use and the common scale.
   */
  homogenize(opkind: OpKind, inputs: number[], homogeneous: number[]): { opkind: OpKind; scale: number } {
    const scales = homogeneous.map((i) => this.scaleOf(inputs[i]));
    const s = Math.max(...scales);
    if (scales.every((x) => x === s)) return { opkind, scale: s };
    const mult = inputs.map((idx, i) => [i, homogeneous.includes(i) ? 2 ** (s - this.scaleOf(idx)) : 1] as const);
    return { opkind: { Rescaled: { inner: opkind, scale: mult.map(([i, m]) => [i, m]) } }, scale: s };
  }

  /**
   * Node `idx` at rank `rank` (leading axes of size 1 prepended by a free Reshape): ezkl broadcasts
   * pairwise operands aligned from the left, so operands of different ranks must be aligned first.
   */
  atRank(idx: number, rank: number, source: string): number {
    const dims = this.dimsOf(idx);
    if (dims.length >= rank) return idx;
    const target = [...new Array(rank - dims.length).fill(1), ...dims];
    return this.op({ Linear: { Reshape: target } }, this.scaleOf(idx), [idx], (v) => ({ dims: target, data: v[0].data }), "Reshape", source);
  }

  /** An elementwise lookup-table op (ezkl Nonlinear) at the input's scale. */
  lookup(x: number, lk: LookupOp, fn: (v: number) => number, label: string, source: string): number {
    this.useLookup(lk);
    return this.op({ Nonlinear: lk }, this.scaleOf(x), [x], (v) => ({ dims: [...v[0].dims], data: v[0].data.map(fn) }), label, source, { lookup: lk });
  }

  /** Record a lookup table the circuit needs (once per distinct op). */
  useLookup(lk: LookupOp): LookupOp {
    if (!this.lookups.some((l) => JSON.stringify(l) === JSON.stringify(lk))) this.lookups.push(lk);
    return lk;
  }
}

/** One ONNX node being lowered: its resolved inputs, attributes, and the graph context. */
export class OpContext {
  readonly where: string;

  constructor(readonly g: LoweringContext, readonly node: OnnxNode, readonly ins: (Value | undefined)[]) {
    this.where = `node '${node.name}' (${node.op})`;
  }

  get name(): string {
    return this.node.name;
  }

  get op(): string {
    return this.node.op;
  }

  /** Input i when it is a compile-time constant. */
  constant(i: number): Tensor | undefined {
    const v = this.ins[i];
    return v?.kind === "const" ? v.t : undefined;
  }

  /** Input i when it is a circuit node (its index). */
  variable(i: number): number | undefined {
    const v = this.ins[i];
    return v?.kind === "node" ? v.idx : undefined;
  }

  /** Input i, which must be a circuit node. */
  requireVariable(i = 0): number {
    const x = this.variable(i);
    if (x === undefined) throw this.unsupported(`input ${i} must depend on the model input`);
    return x;
  }

  /** Every constant input, in order (for folds over a variable number of inputs). */
  constants(): Tensor[] {
    return this.ins.flatMap((v) => (v?.kind === "const" ? [v.t] : []));
  }

  private attr(k: string): OnnxAttribute | undefined {
    return this.node.attributes[k];
  }

  int(k: string, d: number): number {
    const a = this.attr(k);
    return typeof a === "number" ? a : d;
  }

  float(k: string, d: number): number {
    return this.int(k, d);
  }

  ints(k: string, d: number[]): number[] {
    const a = this.attr(k);
    return Array.isArray(a) ? (a as number[]) : d;
  }

  string(k: string, d: string): string {
    const a = this.attr(k);
    return typeof a === "string" && a ? a : d;
  }

  tensorAttr(k: string): OnnxTensor | undefined {
    const a = this.attr(k);
    return a && typeof a === "object" && !Array.isArray(a) && !("kind" in a) ? a : undefined;
  }

  has(k: string): boolean {
    return this.attr(k) !== undefined;
  }

  /** An UnsupportedOpError for this node (a configuration of the op the compiler does not lower). */
  unsupported(detail?: string): UnsupportedOpError {
    return new UnsupportedOpError(this.op, this.name, detail, this.g.supportedOps);
  }

  error(message: string): CompileError {
    return new CompileError(`${this.where}: ${message}`);
  }
}

/** How one ONNX op type (or a tight family) is lowered. */
export interface OpLowering {
  /** the ONNX op types this lowering handles */
  readonly ops: readonly string[];
  /** evaluate at compile time when every input is a constant (absent: such a node is refused); one tensor per ONNX output */
  fold?(n: OpContext): Tensor | Tensor[];
  /** lower to circuit nodes when some input depends on the model input (absent: constants only); one value per ONNX output */
  lower?(n: OpContext): Value | Value[];
}

export const nodeValue = (idx: number): Value => ({ kind: "node", idx });
export const constValue = (t: Tensor): Value => ({ kind: "const", t });
