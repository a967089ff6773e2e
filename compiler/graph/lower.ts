/**
 * ONNX graph -> ezkl v21 node graph, following ezkl's lowering and scale rules. The shared rules
 * (quantization, rebase) live in the lowering context (context.ts); each ONNX op's lowering is one
 * file in ops/, looked up in the registry (ops/index.ts). Every IR node keeps a float kernel so the
 * lowered graph can be simulated on sample inputs (range/overflow analysis) without the engine.
 */
import type { OnnxGraph } from "../onnx/read.js";
import { LoweringContext, OpContext, constValue } from "./context.js";
import { CompileError, UnsupportedOpError } from "./errors.js";
import type { LoweredModel, LowerOptions, Value } from "./ir.js";
import { OP_LOWERINGS, SUPPORTED_OPS } from "./ops/index.js";
import { foldBatchNorm } from "./passes/foldBatchNorm.js";
import { tensor, transpose2d, type Tensor } from "./tensor.js";

export { CompileError, UnsupportedOpError } from "./errors.js";
export { quantize } from "./context.js";
export { SUPPORTED_OPS } from "./ops/index.js";
export type { IrNode, LookupOp, LoweredModel, LowerOptions, OpKind } from "./ir.js";

/** Lower an ONNX graph at the given input and parameter scales. */
export function lowerGraph(graph: OnnxGraph, opts: LowerOptions): LoweredModel {
  const g = foldBatchNorm(graph);
  if (g.inputs.length !== 1) throw new CompileError(`the model must have exactly 1 input, it has ${g.inputs.length} (${g.inputs.map((i) => i.name)})`);
  if (g.outputs.length !== 1) throw new CompileError(`the model must have exactly 1 output, it has ${g.outputs.length}`);
  const inInfo = g.inputs[0];
  if (inInfo.shape.length === 0) throw new CompileError(`input '${inInfo.name}' has no declared shape`);
  if (inInfo.elemType !== 0 && inInfo.elemType !== 1) throw new CompileError(`input '${inInfo.name}' has ONNX element type ${inInfo.elemType}; only float32 (1) inputs are supported`);
  const inputDims = inInfo.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1)); // symbolic batch -> 1

  const ctx = new LoweringContext(opts, graph.opset, SUPPORTED_OPS);
  const onnxOps: string[] = [];
  for (const [name, t] of g.initializers) ctx.setValue(name, constValue(tensor(t.dims, t.data)));
  const inputIdx = ctx.push(
    { opkind: { Input: { scale: opts.inputScale, datum_type: "F32", decomp: true } }, outScale: opts.inputScale, inputs: [], label: "Input", source: inInfo.name, kernel: (ins) => ins[0] },
    tensor(inputDims),
  );
  ctx.setValue(inInfo.name, { kind: "node", idx: inputIdx });

  for (const node of g.nodes) {
    if (!onnxOps.includes(node.op)) onnxOps.push(node.op);
    if (node.domain && node.domain !== "ai.onnx") throw new UnsupportedOpError(`${node.domain}.${node.op}`, node.name, "custom domain", SUPPORTED_OPS);
    const lowering = OP_LOWERINGS.get(node.op);
    if (!lowering) throw new UnsupportedOpError(node.op, node.name, undefined, SUPPORTED_OPS);
    const ins = node.inputs.map((name) => {
      if (name === "") return undefined;
      const v = ctx.value(name);
      if (!v) throw new CompileError(`node '${node.name}' (${node.op}): input '${name}' is not produced by any earlier node or initializer`);
      return v;
    });
    const n = new OpContext(ctx, node, ins);
    let out: Value;
    if (ins.every((v) => !v || v.kind === "const")) {
      if (!lowering.fold) throw n.unsupported("constant folding of this op is not supported");
      out = constValue(lowering.fold(n));
    } else {
      if (!lowering.lower) throw n.unsupported("only supported on constant inputs (folded at compile time)");
      out = lowering.lower(n);
    }
    ctx.setValue(node.outputs[0], out);
  }

  const nodes = ctx.nodes;
  const outName = g.outputs[0].name;
  const ov = ctx.value(outName);
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
  const visit = (i: number) => {
    if (live.has(i)) return;
    live.add(i);
    nodes[i].inputs.forEach(visit);
  };
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
    lookups: ctx.lookups.filter((lk) => kept.some((nd) => nd.lookup === lk || JSON.stringify(nd.lookup) === JSON.stringify(lk))),
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
