/**
 * ONNX graph -> ezkl v21 node graph, following ezkl's lowering and scale rules. The shared rules
 * (quantization, rebase) live in the lowering context (context.ts); each ONNX op's lowering is one
 * file in ops/, looked up in the registry (ops/index.ts). Every IR node keeps a float kernel so the
 * lowered graph can be simulated on sample inputs (range/overflow analysis) without the engine.
 */
import type { OnnxGraph } from "../onnx/read.js";
import { LoweringContext, OpContext, constValue } from "./context.js";
import { CompileError, UnsupportedOpsError } from "./errors.js";
import { splitFlat, type Datum, type IoInfo, type LoweredModel, type LowerOptions, type Value } from "./ir.js";
import { OP_LOWERINGS, SUPPORTED_OPS } from "./ops/index.js";
import { foldBatchNorm } from "./passes/foldBatchNorm.js";
import { fuseLayerNorm } from "./passes/fuseLayerNorm.js";
import { size, tensor, transpose2d, type Tensor } from "./tensor.js";

export { CompileError, UnsupportedOpError, UnsupportedOpsError } from "./errors.js";
export { quantize } from "./context.js";
export { SUPPORTED_OPS } from "./ops/index.js";
export type { IoInfo, IrNode, LookupOp, LoweredModel, LowerOptions, OpKind } from "./ir.js";
export { inputLength, outputLength, splitFlat } from "./ir.js";

/** ONNX element types of integer tensors (inputs of these types are quantized at scale 0). */
const INT_ELEM_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);
const BOOL_ELEM_TYPE = 9;
const FLOAT_ELEM_TYPES = new Set([0, 1, 10, 11, 16]);

/** Every node the registry cannot lower (unknown op, custom domain, control flow), grouped by op. */
function unsupportedNodes(g: OnnxGraph): UnsupportedOpsError | undefined {
  const byOp = new Map<string, { op: string; nodes: string[]; detail?: string }>();
  for (const node of g.nodes) {
    const custom = node.domain && node.domain !== "ai.onnx";
    if (!custom && OP_LOWERINGS.has(node.op)) continue;
    const op = custom ? `${node.domain}.${node.op}` : node.op;
    const e = byOp.get(op) ?? { op, nodes: [], detail: custom ? "custom domain" : undefined };
    e.nodes.push(node.name);
    byOp.set(op, e);
  }
  return byOp.size ? new UnsupportedOpsError([...byOp.values()], SUPPORTED_OPS) : undefined;
}

/** Lower an ONNX graph at the given input and parameter scales. */
export function lowerGraph(graph: OnnxGraph, opts: LowerOptions): LoweredModel {
  const g = fuseLayerNorm(foldBatchNorm(graph));
  const unsupported = unsupportedNodes(g);
  if (unsupported) throw unsupported;
  if (g.inputs.length === 0) throw new CompileError("the model has no inputs");

  const ctx = new LoweringContext(opts, graph.opset, SUPPORTED_OPS);
  const onnxOps: string[] = [];
  for (const [name, t] of g.initializers) ctx.setValue(name, constValue(tensor(t.dims, t.data)));
  const inputs: IoInfo[] = g.inputs.map((info) => {
    if (info.shape.length === 0) throw new CompileError(`input '${info.name}' has no declared shape`);
    const dims = info.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1)); // symbolic batch -> 1
    const datum: Datum = FLOAT_ELEM_TYPES.has(info.elemType) ? "F32" : INT_ELEM_TYPES.has(info.elemType) ? "Int" : info.elemType === BOOL_ELEM_TYPE ? "Bool" : "F32";
    if (datum === "F32" && !FLOAT_ELEM_TYPES.has(info.elemType))
      throw new CompileError(`input '${info.name}' has ONNX element type ${info.elemType}; supported: float, double, float16, integer and bool inputs`);
    // integers and booleans are exact at scale 0 (ezkl's rule); floats at the input scale
    const scale = datum === "F32" ? opts.inputScale : 0;
    const idx = ctx.push(
      { opkind: { Input: { scale, datum_type: datum, decomp: true } }, outScale: scale, inputs: [], label: "Input", source: info.name, kernel: (ins) => ins[0] },
      tensor(dims),
    );
    ctx.setValue(info.name, { kind: "node", idx });
    return { name: info.name, idx, dims: ctx.dimsOf(idx), scale, datum };
  });

  for (const node of g.nodes) {
    if (!onnxOps.includes(node.op)) onnxOps.push(node.op);
    const lowering = OP_LOWERINGS.get(node.op)!;
    const ins = node.inputs.map((name) => {
      if (name === "") return undefined;
      const v = ctx.value(name);
      if (!v) throw new CompileError(`node '${node.name}' (${node.op}): input '${name}' is not produced by any earlier node or initializer`);
      return v;
    });
    const n = new OpContext(ctx, node, ins);
    let out: Value[];
    if (ins.every((v) => !v || v.kind === "const")) {
      if (!lowering.fold) throw n.unsupported("constant folding of this op is not supported");
      const t = lowering.fold(n);
      out = (Array.isArray(t) ? t : [t]).map(constValue);
    } else {
      if (!lowering.lower) throw n.unsupported("only supported on constant inputs (folded at compile time)");
      const v = lowering.lower(n);
      out = Array.isArray(v) ? v : [v];
    }
    node.outputs.forEach((name, i) => {
      if (name === "") return;
      if (!out[i]) {
        // an output the lowering does not produce (e.g. TopK's indices) is an error only if something reads it
        return;
      }
      ctx.setValue(name, out[i]);
    });
  }

  const nodes = ctx.nodes;
  const outputs: IoInfo[] = g.outputs.map((o) => {
    const ov = ctx.value(o.name);
    if (!ov) throw new CompileError(`graph output '${o.name}' is not produced by any node`);
    if (ov.kind !== "node") throw new CompileError(`graph output '${o.name}' is a constant (does not depend on the input)`);
    const computed = nodes[ov.idx].outDims;
    const declared = o.shape;
    const mismatch = declared.length > 0 && (size(declared.map((d) => (typeof d === "number" && d > 0 ? d : 1))) !== size(computed) ||
      (declared.length === computed.length && declared.some((d, i) => typeof d === "number" && d > 0 && d !== computed[i])));
    if (mismatch) throw new CompileError(`graph output '${o.name}' is declared with shape [${declared}] but the graph computes [${computed}]`);
    return { name: o.name, idx: ov.idx, dims: computed, scale: nodes[ov.idx].outScale, datum: "F32" as const };
  });
  // drop nodes not reachable from an output (dead code), keeping indices stable
  const live = new Set<number>();
  const visit = (i: number) => {
    if (live.has(i)) return;
    live.add(i);
    nodes[i].inputs.forEach(visit);
  };
  outputs.forEach((o) => visit(o.idx));
  inputs.forEach((i) => live.add(i.idx));
  const kept = nodes.filter((nd) => live.has(nd.idx));
  for (const nd of kept) for (const i of nd.inputs) nodes[i].numUses++;
  for (const nd of kept) nd.numUses = Math.max(nd.numUses, 1);
  return {
    nodes: kept,
    inputs,
    outputs,
    inputScale: opts.inputScale,
    paramScale: opts.paramScale,
    lookups: ctx.lookups.filter((lk) => kept.some((nd) => nd.lookup === lk || JSON.stringify(nd.lookup) === JSON.stringify(lk))),
    onnxOps,
    rangeChecks: kept.flatMap((nd) => nd.rangeChecks ?? []),
    shuffle: kept.reduce((a, nd) => ({ cells: a.cells + (nd.shuffle?.cells ?? 0), count: a.count + (nd.shuffle?.count ?? 0) }), { cells: 0, count: 0 }),
  };
}

/** Run the lowered graph in float (ezkl semantics with quantized weights) on a flat input vector; returns every node's value. */
export function simulate(m: LoweredModel, flatInput: readonly number[]): Map<number, Tensor> {
  const out = new Map<number, Tensor>();
  splitFlat(flatInput, m.inputs).forEach((x, i) => out.set(m.inputs[i].idx, tensor(m.inputs[i].dims, x)));
  for (const n of m.nodes) {
    if (out.has(n.idx)) continue;
    out.set(n.idx, n.kernel(n.inputs.map((i) => out.get(i)!)));
  }
  return out;
}

export { transpose2d };
