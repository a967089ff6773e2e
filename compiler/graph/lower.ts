/**
 * ONNX graph -> ezkl v21 node graph, following ezkl's lowering and scale rules:
 * - constants are quantized round_half_away_from_zero(x * 2^scale) at param_scale (or, for Add/Sub,
 *   at the other operand's scale, as ezkl re-quantizes single-use constants for homogeneous ops);
 * - Einsum/Conv/Mult/LeakyReLU(slope != 0) add scales; an output scale above
 *   max(input_scale, param_scale) is wrapped in RebaseScale{ Div(2^excess) };
 * - Gemm -> Einsum + Add, MatMul -> Einsum, Relu -> LeakyReLU{0, 1}, Sigmoid/Tanh -> lookups,
 *   BatchNormalization folded into the preceding Conv/Gemm (else lowered to Mul + Add).
 * Every IR node keeps a float kernel so the lowered graph can be simulated on sample inputs
 * (range/overflow analysis) without the engine.
 */
import type { OnnxGraph, OnnxNode, OnnxTensor } from "../onnx/read.js";
import {
  binary, concat, conv, einsum, expand, gather, map, pool, reshape, sigmoid, size, softmax, tensor, transpose, transpose2d, type Tensor,
} from "./tensor.js";

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompileError";
  }
}

/** ONNX ops the compiler lowers (others fail with UnsupportedOpError). */
export const SUPPORTED_OPS = [
  "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Flatten", "Reshape",
  "Identity", "Dropout", "Constant", "Unsqueeze", "Squeeze", "Conv", "AveragePool", "GlobalAveragePool",
  "BatchNormalization", "MaxPool", "Softmax",
  // folded at compile time (constant inputs only; Shape also on variables, whose shapes are static)
  "Shape", "Gather", "Concat", "Cast", "Transpose",
] as const;

const CONST_ONLY = new Set(["Gather", "Concat", "Cast", "Transpose"]);

/** Ops whose ezkl layouts need features this compiler does not size. */
const NOT_YET: Record<string, string> = {};

export class UnsupportedOpError extends CompileError {
  constructor(public op: string, public node: string, detail?: string) {
    super(
      `unsupported ONNX op '${op}' at node '${node}'${detail ? ` (${detail})` : ""}. Supported ops: ${SUPPORTED_OPS.join(", ")}`,
    );
    this.name = "UnsupportedOpError";
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface IrNode {
  idx: number;
  /** serde value of ezkl SupportedOp */
  opkind: any;
  outScale: number;
  inputs: number[];
  outDims: number[];
  numUses: number;
  /** short op name for the manifest (e.g. "Einsum", "RebaseScale(Einsum)") */
  label: string;
  /** originating ONNX node */
  source: string;
  kernel: (ins: Tensor[]) => Tensor;
  /** LookupOp used by this node (Nonlinear nodes and Softmax) */
  lookup?: any;
  /** scale of the value before a RebaseScale division */
  originalScale?: number;
  /** range-check tables this op's layout needs besides the decomposition ones */
  rangeChecks?: [number, number][];
  /** cells this op puts in shuffle columns (ezkl's max = sort + shuffle argument) and its number of shuffles */
  shuffle?: { cells: number; count: number };
}

export interface LoweredModel {
  nodes: IrNode[];
  inputIdx: number;
  outputIdx: number;
  inputName: string;
  outputName: string;
  inputDims: number[];
  outputDims: number[];
  inputScale: number;
  paramScale: number;
  outputScale: number;
  /** distinct LookupOps required */
  lookups: any[];
  /** ONNX ops seen, in order of first appearance */
  onnxOps: string[];
  /** extra range checks required by the ops */
  rangeChecks: [number, number][];
  /** shuffle-argument usage (MaxPool, Softmax) */
  shuffle: { cells: number; count: number };
}

export interface LowerOptions {
  inputScale: number;
  paramScale: number;
}

const pow2 = (s: number) => 2 ** s;
/** ezkl quantization: round half away from zero of (f32 as f64) * 2^scale. */
export const quantize = (x: number, scale: number) => {
  const v = Math.fround(x) * pow2(scale);
  return Math.sign(v) * Math.round(Math.abs(v));
};

type Value = { kind: "const"; t: Tensor } | { kind: "node"; idx: number };

const fromOnnx = (t: OnnxTensor): Tensor => tensor(t.dims, t.data);

const attrInt = (n: OnnxNode, k: string, d: number) => (typeof n.attributes[k] === "number" ? (n.attributes[k] as number) : d);
const attrInts = (n: OnnxNode, k: string, d: number[]) => (Array.isArray(n.attributes[k]) ? (n.attributes[k] as number[]) : d);
const attrFloat = (n: OnnxNode, k: string, d: number) => attrInt(n, k, d);

/** Fold BatchNormalization into a preceding Conv/Gemm whose output only feeds the BN (as tract does). */
function foldBatchNorm(g: OnnxGraph): OnnxGraph {
  const inits = new Map(g.initializers);
  const nodes = [...g.nodes];
  const uses = (name: string) => nodes.filter((n) => n.inputs.includes(name)).length + (g.outputs.some((o) => o.name === name) ? 1 : 0);
  for (let i = 0; i < nodes.length; i++) {
    const bn = nodes[i];
    if (bn.op !== "BatchNormalization") continue;
    const prevIdx = nodes.findIndex((n) => n.outputs[0] === bn.inputs[0]);
    const prev = nodes[prevIdx];
    if (!prev || !["Conv", "Gemm"].includes(prev.op) || uses(bn.inputs[0]) !== 1) continue;
    const W = inits.get(prev.inputs[1]);
    const params = bn.inputs.slice(1, 5).map((n) => inits.get(n));
    if (!W || params.some((p) => !p)) continue;
    if (prev.op === "Gemm" && (attrInt(prev, "transB", 0) !== 1 || attrFloat(prev, "alpha", 1) !== 1)) continue;
    const [gamma, beta, mean, variance] = params as OnnxTensor[];
    const eps = attrFloat(bn, "epsilon", 1e-5);
    const cout = W.dims[0];
    const per = size(W.dims) / cout;
    const w = new Float32Array(W.data.length);
    const oldB = prev.inputs[2] ? inits.get(prev.inputs[2]) : undefined;
    const b = new Float32Array(cout);
    const beta0 = prev.op === "Gemm" ? attrFloat(prev, "beta", 1) : 1;
    for (let c = 0; c < cout; c++) {
      const k = gamma.data[c] / Math.sqrt(variance.data[c] + eps);
      for (let j = 0; j < per; j++) w[c * per + j] = W.data[c * per + j] * k;
      b[c] = ((oldB ? oldB.data[c] * beta0 : 0) - mean.data[c]) * k + beta.data[c];
    }
    const wName = `${prev.inputs[1]}__bnfold_${bn.name}`, bName = `${prev.name}__bias_bnfold_${bn.name}`;
    inits.set(wName, { name: wName, dims: W.dims, dataType: 1, data: w });
    inits.set(bName, { name: bName, dims: [cout], dataType: 1, data: b });
    const attributes = { ...prev.attributes };
    if (prev.op === "Gemm") attributes.beta = 1;
    nodes[prevIdx] = { ...prev, attributes, inputs: [prev.inputs[0], wName, bName], outputs: [bn.outputs[0]] };
    nodes.splice(i, 1);
    i--;
  }
  return { ...g, nodes, initializers: inits };
}

function reshapeTarget(inDims: number[], spec: number[], where: string): number[] {
  const out = spec.map((d, i) => (d === 0 ? inDims[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = size(inDims);
  const res = out.map((d) => (d === -1 ? total / known : d));
  if (size(res) !== total || res.some((d) => !Number.isInteger(d) || d < 0))
    throw new CompileError(`${where}: cannot reshape [${inDims}] to [${spec}]`);
  return res;
}

function convPads(n: OnnxNode, inDims: number[], kernel: number[], stride: number[]): [number, number][] {
  const autoPad = (n.attributes.auto_pad as string) || "NOTSET";
  const spatial = inDims.slice(2);
  if (autoPad === "VALID") return kernel.map(() => [0, 0]);
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER")
    return spatial.map((d, i) => {
      const out = Math.ceil(d / stride[i]);
      const total = Math.max(0, (out - 1) * stride[i] + kernel[i] - d);
      const small = Math.floor(total / 2);
      return autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
    });
  const p = attrInts(n, "pads", new Array(kernel.length * 2).fill(0));
  return kernel.map((_, i) => [p[i], p[i + kernel.length]]);
}

/** Lower an ONNX graph. `sample` is a representative float input used for shape propagation. */
export function lowerGraph(graph: OnnxGraph, opts: LowerOptions): LoweredModel {
  const g = foldBatchNorm(graph);
  if (g.inputs.length !== 1) throw new CompileError(`the model must have exactly 1 input, it has ${g.inputs.length} (${g.inputs.map((i) => i.name)})`);
  if (g.outputs.length !== 1) throw new CompileError(`the model must have exactly 1 output, it has ${g.outputs.length}`);
  const inInfo = g.inputs[0];
  if (inInfo.shape.length === 0) throw new CompileError(`input '${inInfo.name}' has no declared shape`);
  if (inInfo.elemType !== 0 && inInfo.elemType !== 1) throw new CompileError(`input '${inInfo.name}' has ONNX element type ${inInfo.elemType}; only float32 (1) inputs are supported`);
  const inputDims = inInfo.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1)); // symbolic batch -> 1
  const global = Math.max(opts.inputScale, opts.paramScale);

  const nodes: IrNode[] = [];
  const vals = new Map<string, Value>();
  const dummy: Tensor[] = []; // dummy forward values per node (shape propagation)
  const lookups: any[] = [];
  const onnxOps: string[] = [];
  for (const [name, t] of g.initializers) vals.set(name, { kind: "const", t: fromOnnx(t) });

  const push = (n: Omit<IrNode, "idx" | "numUses" | "outDims">, value: Tensor): number => {
    const idx = nodes.length;
    nodes.push({ ...n, idx, numUses: 0, outDims: value.dims.length ? [...value.dims] : [1] });
    dummy.push(value);
    return idx;
  };

  const inputIdx = push(
    { opkind: { Input: { scale: opts.inputScale, datum_type: "F32", decomp: true } }, outScale: opts.inputScale, inputs: [], label: "Input", source: inInfo.name, kernel: (ins) => ins[0] },
    tensor(inputDims),
  );
  vals.set(inInfo.name, { kind: "node", idx: inputIdx });

  const constNode = (t: Tensor, scale: number, source: string): number => {
    const q = Array.from(t.data, (x) => quantize(x, scale));
    const deq = tensor(t.dims, q.map((v) => v / pow2(scale)));
    return push(
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
  };

  /** Add an op node; applies ezkl's rebase rule. */
  const op = (linear: any, outScaleRaw: number, inputs: number[], kernel: IrNode["kernel"], label: string, source: string, extra: Partial<IrNode> = {}): number => {
    let value: Tensor;
    try {
      value = kernel(inputs.map((i) => dummy[i]));
    } catch (e) {
      throw new CompileError(`node '${source}' (${label}): ${(e as Error).message}`);
    }
    if (outScaleRaw > global) {
      const m = pow2(outScaleRaw - global);
      return push(
        {
          opkind: { RebaseScale: { inner: linear, rebase_op: { Div: { denom: m } }, target_scale: global, original_scale: outScaleRaw, multiplier: m } },
          outScale: global, inputs, kernel, label: `RebaseScale(${label})`, source, originalScale: outScaleRaw, ...extra,
        },
        value,
      );
    }
    return push({ opkind: linear, outScale: outScaleRaw, inputs, kernel, label, source, ...extra }, value);
  };

  const scaleOf = (i: number) => nodes[i].outScale;
  const dimsOf = (i: number) => nodes[i].outDims;

  for (const n of g.nodes) {
    if (!onnxOps.includes(n.op)) onnxOps.push(n.op);
    const where = `node '${n.name}' (${n.op})`;
    if (n.domain && n.domain !== "ai.onnx") throw new UnsupportedOpError(`${n.domain}.${n.op}`, n.name, "custom domain");
    if (!(SUPPORTED_OPS as readonly string[]).includes(n.op)) throw new UnsupportedOpError(n.op, n.name, NOT_YET[n.op]);
    const ins = n.inputs.map((name) => {
      if (name === "") return undefined;
      const v = vals.get(name);
      if (!v) throw new CompileError(`${where}: input '${name}' is not produced by any earlier node or initializer`);
      return v;
    });
    const out = n.outputs[0];
    const setNode = (idx: number) => vals.set(out, { kind: "node", idx });
    const setConst = (t: Tensor) => vals.set(out, { kind: "const", t });
    const C = (i: number): Tensor | undefined => (ins[i]?.kind === "const" ? (ins[i] as any).t : undefined);
    const N = (i: number): number | undefined => (ins[i]?.kind === "node" ? (ins[i] as any).idx : undefined);
    const allConst = ins.every((v) => !v || v.kind === "const");

    switch (n.op) {
      case "Constant": {
        const t = n.attributes.value;
        if (!t || typeof t !== "object" || Array.isArray(t)) throw new UnsupportedOpError("Constant", n.name, "only the 'value' tensor attribute is supported");
        setConst(fromOnnx(t as OnnxTensor));
        continue;
      }
      case "Identity": case "Dropout":
        vals.set(out, ins[0]!);
        continue;
      case "Shape": {
        const dims = ins[0]!.kind === "const" ? (ins[0] as any).t.dims : dimsOf((ins[0] as any).idx);
        setConst(tensor([dims.length], dims));
        continue;
      }
    }
    if (CONST_ONLY.has(n.op) && !allConst) throw new UnsupportedOpError(n.op, n.name, "only supported on constant inputs (folded at compile time)");

    // shape-only ops work the same on constants and variables
    if (["Flatten", "Reshape", "Unsqueeze", "Squeeze"].includes(n.op)) {
      const inDims = allConst ? C(0)!.dims : dimsOf(N(0)!);
      let target: number[];
      if (n.op === "Flatten") {
        let axis = attrInt(n, "axis", 1);
        if (axis < 0) axis += inDims.length;
        target = [size(inDims.slice(0, axis)), size(inDims.slice(axis))];
      } else if (n.op === "Reshape") {
        const shape = C(1);
        if (!shape) throw new UnsupportedOpError("Reshape", n.name, "the shape input must be a constant");
        target = reshapeTarget(inDims, Array.from(shape.data), where);
      } else {
        const axesT = C(1);
        const axes = (axesT ? Array.from(axesT.data) : attrInts(n, "axes", [])).map((a) => (a < 0 ? a + inDims.length + (n.op === "Unsqueeze" ? (axesT ? axesT.data.length : attrInts(n, "axes", []).length) : 0) : a));
        if (n.op === "Unsqueeze") {
          target = [...inDims];
          for (const a of [...axes].sort((x, y) => x - y)) target.splice(a, 0, 1);
        } else target = inDims.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
      }
      if (allConst) setConst(reshape(C(0)!, target));
      else {
        const payload = n.op === "Flatten" ? { Flatten: target } : { Reshape: target };
        const x = N(0)!;
        setNode(op({ Linear: payload }, scaleOf(x), [x], (v) => reshape(v[0], target), n.op === "Flatten" ? "Flatten" : "Reshape", n.name));
      }
      continue;
    }

    if (allConst) {
      // constant folding of arithmetic on initializers
      const a = C(0)!, b = C(1);
      const f: Record<string, () => Tensor> = {
        Add: () => binary(a, b!, (x, y) => x + y, where),
        Sub: () => binary(a, b!, (x, y) => x - y, where),
        Mul: () => binary(a, b!, (x, y) => x * y, where),
        Div: () => binary(a, b!, (x, y) => x / y, where),
        Relu: () => map(a, (x) => Math.max(0, x)),
        Sigmoid: () => map(a, sigmoid),
        Tanh: () => map(a, Math.tanh),
        Cast: () => a,
        Transpose: () => transpose(a, attrInts(n, "perm", a.dims.map((_, i) => a.dims.length - 1 - i))),
        Gather: () => gather(a, b!, attrInt(n, "axis", 0)),
        Concat: () => concat(ins.map((v) => (v as any).t as Tensor), attrInt(n, "axis", 0)),
      };
      if (!f[n.op]) throw new UnsupportedOpError(n.op, n.name, "constant folding of this op is not supported");
      setConst(f[n.op]());
      continue;
    }

    switch (n.op) {
      case "Gemm": {
        const a = N(0);
        if (a === undefined) throw new UnsupportedOpError("Gemm", n.name, "input A must be the variable operand");
        if (attrInt(n, "transA", 0)) throw new UnsupportedOpError("Gemm", n.name, "transA=1 is not supported");
        const alpha = attrFloat(n, "alpha", 1), beta = attrFloat(n, "beta", 1);
        const transB = attrInt(n, "transB", 0) === 1;
        let bIdx: number;
        const bc = C(1);
        if (bc) bIdx = constNode(alpha === 1 ? bc : map(bc, (x) => x * alpha), opts.paramScale, n.name);
        else {
          if (alpha !== 1) throw new UnsupportedOpError("Gemm", n.name, "alpha != 1 with a variable B");
          bIdx = N(1)!;
        }
        const eq = transB ? "mk,nk->mn" : "mk,kn->mn";
        const e = op({ Linear: { Einsum: { equation: eq } } }, scaleOf(a) + scaleOf(bIdx), [a, bIdx], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name);
        const cc = C(2);
        if (ins[2] && !cc) throw new UnsupportedOpError("Gemm", n.name, "bias C must be a constant");
        if (cc) {
          const outDims = dimsOf(e);
          const bias = expand(beta === 1 ? cc : map(cc, (x) => x * beta), outDims);
          const bq = constNode(bias, scaleOf(e), n.name);
          setNode(op({ Linear: "Add" }, scaleOf(e), [e, bq], (v) => binary(v[0], v[1], (x, y) => x + y, where), "Add", n.name));
        } else setNode(e);
        continue;
      }
      case "MatMul": {
        const a = N(0);
        if (a === undefined) throw new UnsupportedOpError("MatMul", n.name, "the first operand must be the variable one");
        const bc = C(1);
        const b = bc ? constNode(bc, opts.paramScale, n.name) : N(1)!;
        const ra = dimsOf(a).length, rb = dimsOf(b).length;
        if (ra < 2 || rb < 2 || (rb !== 2 && rb !== ra)) throw new UnsupportedOpError("MatMul", n.name, `operand ranks ${ra} and ${rb}`);
        const batch = "abcdefgh".slice(0, ra - 2);
        const eq = `${batch}ik,${rb === 2 ? "" : batch}kj->${batch}ij`;
        setNode(op({ Linear: { Einsum: { equation: eq } } }, scaleOf(a) + scaleOf(b), [a, b], (v) => einsum(eq, v[0], v[1]), "Einsum", n.name));
        continue;
      }
      case "Add": case "Sub": case "Mul": case "Div": {
        const a = N(0), b = N(1);
        let kind = n.op;
        if (kind === "Div") {
          const d = C(1);
          if (a === undefined || !d) throw new UnsupportedOpError("Div", n.name, "only division by a constant is supported");
          // x / c -> x * (1/c)
          const recip = map(d, (x) => 1 / x);
          const outDims = dimsOf(a);
          const cq = constNode(expand(recip, outDims), opts.paramScale, n.name);
          setNode(op({ Linear: "Mult" }, scaleOf(a) + opts.paramScale, [a, cq], (v) => binary(v[0], v[1], (x, y) => x * y, where), "Mult", n.name));
          continue;
        }
        const f = kind === "Add" ? (x: number, y: number) => x + y : kind === "Sub" ? (x: number, y: number) => x - y : (x: number, y: number) => x * y;
        const linear = { Linear: kind === "Mul" ? "Mult" : kind };
        if (a !== undefined && b !== undefined) {
          if (dimsOf(a).join() !== dimsOf(b).join()) throw new UnsupportedOpError(n.op, n.name, `variable operands of different shapes [${dimsOf(a)}] and [${dimsOf(b)}]`);
          if (kind === "Mul") {
            setNode(op(linear, scaleOf(a) + scaleOf(b), [a, b], (v) => binary(v[0], v[1], f, where), "Mult", n.name));
          } else if (scaleOf(a) !== scaleOf(b)) {
            const s = Math.max(scaleOf(a), scaleOf(b));
            const inner = { Rescaled: { inner: linear, scale: [[0, pow2(s - scaleOf(a))], [1, pow2(s - scaleOf(b))]] } };
            setNode(op(inner, s, [a, b], (v) => binary(v[0], v[1], f, where), `Rescaled(${kind})`, n.name));
          } else setNode(op(linear, scaleOf(a), [a, b], (v) => binary(v[0], v[1], f, where), kind, n.name));
          continue;
        }
        const varIdx = (a ?? b)!;
        const c = (C(0) ?? C(1))!;
        const outDims = dimsOf(varIdx);
        let full: Tensor;
        try {
          const bdims = binary(tensor(outDims), tensor(c.dims), () => 0, where).dims;
          if (bdims.join() !== outDims.join()) throw new Error(`the constant would broadcast the variable [${outDims}] to [${bdims}]`);
          full = expand(c, outDims);
        } catch (e) {
          throw new UnsupportedOpError(n.op, n.name, (e as Error).message);
        }
        const cs = kind === "Mul" ? opts.paramScale : scaleOf(varIdx);
        const cq = constNode(full, cs, n.name);
        const order = a !== undefined ? [varIdx, cq] : [cq, varIdx];
        const outScale = kind === "Mul" ? scaleOf(varIdx) + cs : scaleOf(varIdx);
        setNode(op(linear, outScale, order, (v) => binary(v[0], v[1], f, where), kind === "Mul" ? "Mult" : kind, n.name));
        continue;
      }
      case "Relu": {
        const x = N(0)!;
        setNode(op({ Linear: { LeakyReLU: { slope: 0, scale: 1 } } }, scaleOf(x), [x], (v) => map(v[0], (t) => Math.max(0, t)), "ReLU", n.name));
        continue;
      }
      case "LeakyRelu": {
        const x = N(0)!;
        const alpha = Math.fround(attrFloat(n, "alpha", 0.01));
        const slope = quantize(alpha, opts.paramScale) / pow2(opts.paramScale);
        const out = alpha === 0 ? scaleOf(x) : scaleOf(x) + opts.paramScale;
        setNode(op({ Linear: { LeakyReLU: { slope: alpha, scale: opts.paramScale } } }, out, [x], (v) => map(v[0], (t) => (t >= 0 ? t : t * slope)), "LeakyReLU", n.name,
          // boolean_identity on the sign mask range-checks (0, 1)
          alpha === 0 ? {} : { rangeChecks: [[0, 1]] }));
        continue;
      }
      case "Sigmoid": case "Tanh": {
        const x = N(0)!;
        const lk = { [n.op]: { scale: pow2(scaleOf(x)) } };
        if (!lookups.some((l) => JSON.stringify(l) === JSON.stringify(lk))) lookups.push(lk);
        const fn = n.op === "Sigmoid" ? sigmoid : Math.tanh;
        setNode(op({ Nonlinear: lk }, scaleOf(x), [x], (v) => map(v[0], fn), n.op, n.name, { lookup: lk }));
        continue;
      }
      case "Conv": {
        const x = N(0), w = C(1);
        if (x === undefined || !w) throw new UnsupportedOpError("Conv", n.name, "input must be variable and the kernel a constant");
        if (ins[2] && !C(2)) throw new UnsupportedOpError("Conv", n.name, "bias must be a constant");
        const inDims = dimsOf(x);
        if (inDims.length !== 4 || w.dims.length !== 4) throw new UnsupportedOpError("Conv", n.name, `only 2-D convolutions on NCHW input are supported (input [${inDims}])`);
        if (attrInts(n, "dilations", [1, 1]).some((d) => d !== 1)) throw new UnsupportedOpError("Conv", n.name, "non-unit dilations");
        const kernel = w.dims.slice(2);
        const stride = attrInts(n, "strides", [1, 1]);
        const pads = convPads(n, inDims, kernel, stride);
        const group = attrInt(n, "group", 1);
        const wq = constNode(w, opts.paramScale, n.name);
        const outScale = scaleOf(x) + opts.paramScale;
        const inputs = [x, wq];
        if (C(2)) inputs.push(constNode(C(2)!, outScale, n.name));
        setNode(op(
          { Linear: { Conv: { padding: pads, stride, group, data_format: "NCHW", kernel_format: "OIHW" } } },
          outScale, inputs, (v) => conv(v[0], v[1], v[2], pads, stride, group), "Conv", n.name,
        ));
        continue;
      }
      case "AveragePool": case "GlobalAveragePool": case "MaxPool": {
        const x = N(0)!;
        const inDims = dimsOf(x);
        if (inDims.length !== 4) throw new UnsupportedOpError(n.op, n.name, "only 2-D pooling on NCHW input");
        const global = n.op === "GlobalAveragePool";
        const kernel = global ? inDims.slice(2) : attrInts(n, "kernel_shape", []);
        const stride = global ? kernel : attrInts(n, "strides", [1, 1]);
        if (attrInt(n, "ceil_mode", 0)) throw new UnsupportedOpError(n.op, n.name, "ceil_mode=1");
        if (attrInts(n, "dilations", [1, 1]).some((d) => d !== 1)) throw new UnsupportedOpError(n.op, n.name, "dilations");
        const pads = global ? ([[0, 0], [0, 0]] as [number, number][]) : convPads(n, inDims, kernel, stride);
        const padded = pads.some(([p, q]) => p || q);
        if (padded && n.op === "MaxPool") throw new UnsupportedOpError(n.op, n.name, "padding (ezkl pads with 0, ONNX with -inf)");
        const windows = inDims[0] * inDims[1] * (Math.floor((inDims[2] + pads[0][0] + pads[0][1] - kernel[0]) / stride[0]) + 1) * (Math.floor((inDims[3] + pads[1][0] + pads[1][1] - kernel[1]) / stride[1]) + 1);
        if (padded && n.op === "AveragePool" && !attrInt(n, "count_include_pad", 0))
          throw new UnsupportedOpError(n.op, n.name, "padding with count_include_pad=0");
        if (n.op === "MaxPool") {
          const k = kernel[0] * kernel[1];
          setNode(op({ Hybrid: { MaxPool: { padding: pads, stride, pool_dims: kernel, data_format: "NCHW" } } }, scaleOf(x), [x], (v) => pool(v[0], "max", kernel, pads, stride, false), "MaxPool", n.name,
            // max(window) = last of a sorted copy, proven by a shuffle; comparisons use boolean masks
            { rangeChecks: [[0, 1]], shuffle: k > 1 ? { cells: windows * k, count: windows } : undefined }));
        } else {
          setNode(op({ Hybrid: { SumPool: { padding: pads, stride, kernel_shape: kernel, normalized: true, data_format: "NCHW" } } }, scaleOf(x), [x], (v) => pool(v[0], "sum", kernel, pads, stride, true), "SumPool", n.name));
        }
        continue;
      }
      case "Softmax": {
        const x = N(0)!;
        const inDims = dimsOf(x);
        let axis = attrInt(n, "axis", graph.opset >= 13 ? -1 : 1);
        if (axis < 0) axis += inDims.length;
        if (graph.opset < 13 && axis !== inDims.length - 1)
          throw new UnsupportedOpError("Softmax", n.name, `opset < 13 softmax flattens from axis ${axis}; only the last axis is supported`);
        const inScale = scaleOf(x);
        const outScale = Math.max(global, inScale);
        const lk = { Exp: { scale: pow2(inScale), base: Math.fround(Math.E) } };
        if (!lookups.some((l) => JSON.stringify(l) === JSON.stringify(lk))) lookups.push(lk);
        const len = inDims[axis];
        const slices = size(inDims) / len;
        setNode(op(
          { Hybrid: { Softmax: { input_scale: pow2(inScale), output_scale: pow2(outScale), axes: [axis] } } },
          inScale + outScale, [x], (v) => softmax(v[0], axis), "Softmax", n.name,
          // x - max(x) goes through an exp lookup; max is a sort + shuffle; recip uses boolean masks
          { lookup: lk, rangeChecks: [[0, 1]], shuffle: len > 1 ? { cells: size(inDims), count: slices } : undefined },
        ));
        continue;
      }
      case "BatchNormalization": {
        // not folded into a producer: y = x * k + (beta - mean * k), per channel (axis 1)
        const x = N(0)!;
        const [gamma, beta, mean, variance] = [C(1), C(2), C(3), C(4)];
        if (!gamma || !beta || !mean || !variance) throw new UnsupportedOpError(n.op, n.name, "statistics must be constants");
        const eps = attrFloat(n, "epsilon", 1e-5);
        const inDims = dimsOf(x);
        const cshape = inDims.map((d, i) => (i === 1 ? d : 1));
        const k = tensor(cshape, Array.from(gamma.data, (gv, c) => gv / Math.sqrt(variance.data[c] + eps)));
        const sh = tensor(cshape, Array.from(beta.data, (bv, c) => bv - mean.data[c] * k.data[c]));
        const kq = constNode(expand(k, inDims), opts.paramScale, n.name);
        const m = op({ Linear: "Mult" }, scaleOf(x) + opts.paramScale, [x, kq], (v) => binary(v[0], v[1], (p, q) => p * q, where), "Mult", n.name);
        const sq = constNode(expand(sh, inDims), scaleOf(m), n.name);
        setNode(op({ Linear: "Add" }, scaleOf(m), [m, sq], (v) => binary(v[0], v[1], (p, q) => p + q, where), "Add", n.name));
        continue;
      }
      default:
        throw new UnsupportedOpError(n.op, n.name);
    }
  }

  const outName = g.outputs[0].name;
  const ov = vals.get(outName);
  if (!ov) throw new CompileError(`graph output '${outName}' is not produced by any node`);
  if (ov.kind !== "node") throw new CompileError(`graph output '${outName}' is a constant (does not depend on the input)`);
  const outputIdx = ov.idx;
  if (outputIdx === inputIdx) throw new CompileError("the model output is its input (no computation)");
  const declared = g.outputs[0].shape;
  const computed = nodes[outputIdx].outDims;
  const mismatch = declared.length > 0 && (declared.length !== computed.length || declared.some((d, i) => typeof d === "number" && d > 0 && d !== computed[i]));
  if (mismatch) throw new CompileError(`graph output '${outName}' is declared with shape [${declared}] but the graph computes [${computed}]`);
  // drop nodes not reachable from the output (dead code), keeping indices stable
  const live = new Set<number>();
  const visit = (i: number) => { if (live.has(i)) return; live.add(i); nodes[i].inputs.forEach(visit); };
  visit(outputIdx);
  live.add(inputIdx);
  const kept = nodes.filter((nd) => live.has(nd.idx));
  for (const nd of kept) for (const i of nd.inputs) nodes[i].numUses++;
  for (const nd of kept) nd.numUses = Math.max(nd.numUses, 1);
  return {
    nodes: kept,
    inputIdx,
    outputIdx,
    inputName: inInfo.name,
    outputName: outName,
    inputDims,
    outputDims: nodes[outputIdx].outDims,
    inputScale: opts.inputScale,
    paramScale: opts.paramScale,
    outputScale: nodes[outputIdx].outScale,
    lookups: lookups.filter((lk) => kept.some((nd) => nd.lookup === lk || JSON.stringify(nd.lookup) === JSON.stringify(lk))),
    onnxOps,
    rangeChecks: kept.flatMap((nd) => nd.rangeChecks ?? []),
    shuffle: kept.reduce((a, nd) => ({ cells: a.cells + (nd.shuffle?.cells ?? 0), count: a.count + (nd.shuffle?.count ?? 0) }), { cells: 0, count: 0 }),
  };
}

/** Run the lowered graph in float (ezkl semantics with quantized weights); returns every node's value. */
export function simulate(m: LoweredModel, input: Tensor): Map<number, Tensor> {
  const out = new Map<number, Tensor>();
  for (const n of m.nodes) {
    if (n.idx === m.inputIdx) {
      out.set(n.idx, input);
      continue;
    }
    out.set(n.idx, n.kernel(n.inputs.map((i) => out.get(i)!)));
  }
  return out;
}

export { transpose2d };
