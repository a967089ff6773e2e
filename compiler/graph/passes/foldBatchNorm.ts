/** Fold BatchNormalization into a preceding Conv/Gemm whose output only feeds the BN (as tract does). */
import type { OnnxGraph, OnnxNode, OnnxTensor } from "../../onnx/read.js";
import { useCount } from "./uses.js";
import { size } from "../tensor.js";

const attrNum = (n: OnnxNode, k: string, d: number) => (typeof n.attributes[k] === "number" ? (n.attributes[k] as number) : d);

export function foldBatchNorm(g: OnnxGraph): OnnxGraph {
  const inits = new Map(g.initializers);
  const nodes = [...g.nodes];
  const uses = (name: string) => useCount(nodes, g, name);
  for (let i = 0; i < nodes.length; i++) {
    const bn = nodes[i];
    if (bn.op !== "BatchNormalization") continue;
    const prevIdx = nodes.findIndex((n) => n.outputs[0] === bn.inputs[0]);
    const prev = nodes[prevIdx];
    if (!prev || !["Conv", "Gemm"].includes(prev.op) || uses(bn.inputs[0]) !== 1) continue;
    const W = inits.get(prev.inputs[1]);
    const params = bn.inputs.slice(1, 5).map((n) => inits.get(n));
    if (!W || params.some((p) => !p)) continue;
    if (prev.op === "Gemm" && (attrNum(prev, "transB", 0) !== 1 || attrNum(prev, "alpha", 1) !== 1)) continue;
    const [gamma, beta, mean, variance] = params as OnnxTensor[];
    const eps = attrNum(bn, "epsilon", 1e-5);
    const cout = W.dims[0];
    const per = size(W.dims) / cout;
    const w = new Float32Array(W.data.length);
    const oldB = prev.inputs[2] ? inits.get(prev.inputs[2]) : undefined;
    const b = new Float32Array(cout);
    const beta0 = prev.op === "Gemm" ? attrNum(prev, "beta", 1) : 1;
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
