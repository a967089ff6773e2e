/**
 * Recognise the LayerNorm graph exporters emit (torch.nn.LayerNorm at opset < 17):
 *   m = ReduceMean(x, trailing axes); d = x - m; v = ReduceMean(Pow(d, 2), same axes); y = d / Sqrt(v + eps)
 * and replace it by one LayerNormalization node (gamma 1), so that it is lowered like the op: its epsilon raised to
 * one fixed-point unit (exported as an Add of 1e-5, it rounds to 0 and a row of equal values divides by zero, which
 * cannot be proven) and its output bounded by the normalisation bound in the admitted-domain analysis.
 */
import type { OnnxGraph, OnnxNode, OnnxTensor } from "../../onnx/read.js";
import { useCount } from "./uses.js";

/** The trailing reduction axes of a ReduceMean (attribute or, from opset 18, input), as the LayerNorm axis; else undefined. */
function trailingAxis(n: OnnxNode, constant: (name: string) => OnnxTensor | undefined): number | undefined {
  const a = n.attributes.axes;
  const axes = Array.isArray(a) ? (a as number[]) : n.inputs[1] ? Array.from(constant(n.inputs[1])?.data ?? []) : undefined;
  if (!axes?.length || n.attributes.keepdims === 0) return undefined;
  const sorted = [...axes].sort((p, q) => p - q);
  // negative and contiguous up to -1 (positive axes would need the rank, which intermediate values do not declare)
  if (sorted[sorted.length - 1] !== -1 || sorted.some((v, i) => i > 0 && v !== sorted[i - 1] + 1)) return undefined;
  return sorted[0];
}

export function fuseLayerNorm(g: OnnxGraph): OnnxGraph {
  let nodes = [...g.nodes];
  const inits = new Map(g.initializers);
  const producer = (name: string) => nodes.find((n) => n.outputs.includes(name));
  const uses = (name: string) => useCount(nodes, g, name);
  const constant = (name: string): OnnxTensor | undefined => {
    if (inits.has(name)) return inits.get(name);
    const p = producer(name);
    const v = p?.op === "Constant" ? p.attributes.value : undefined;
    return v && typeof v === "object" && !Array.isArray(v) && "data" in v ? (v as OnnxTensor) : undefined;
  };
  const scalar = (name: string) => {
    const t = constant(name);
    return t && t.data.length === 1 ? t.data[0] : undefined;
  };
  for (const div of [...nodes]) {
    if (div.op !== "Div") continue;
    const sqrt = producer(div.inputs[1]);
    if (sqrt?.op !== "Sqrt") continue;
    const add = producer(sqrt.inputs[0]);
    if (add?.op !== "Add") continue;
    const [vName, epsName] = scalar(add.inputs[1]) !== undefined ? add.inputs : [add.inputs[1], add.inputs[0]];
    const eps = scalar(epsName);
    const v = producer(vName);
    if (eps === undefined || !(eps > 0) || v?.op !== "ReduceMean") continue;
    const pow = producer(v.inputs[0]);
    if (pow?.op !== "Pow" || scalar(pow.inputs[1]) !== 2 || pow.inputs[0] !== div.inputs[0]) continue;
    const sub = producer(div.inputs[0]);
    const mean = sub?.op === "Sub" ? producer(sub.inputs[1]) : undefined;
    if (!sub || mean?.op !== "ReduceMean" || mean.inputs[0] !== sub.inputs[0]) continue;
    const axis = trailingAxis(v, constant);
    if (axis === undefined || trailingAxis(mean, constant) !== axis) continue;
    // every intermediate value feeds only the pattern (d feeds the Pow and the Div)
    if (uses(mean.outputs[0]) !== 1 || uses(sub.outputs[0]) !== 2 || uses(pow.outputs[0]) !== 1 || uses(v.outputs[0]) !== 1 || uses(add.outputs[0]) !== 1 || uses(sqrt.outputs[0]) !== 1) continue;
    const gamma = `${div.name || div.outputs[0]}__layernorm_gamma`;
    inits.set(gamma, { name: gamma, dims: [1], dataType: 1, data: Float32Array.from([1]) });
    const fused: OnnxNode = {
      name: div.name || `${div.outputs[0]}__layernorm`, op: "LayerNormalization", domain: "", inputs: [sub.inputs[0], gamma], outputs: [div.outputs[0]],
      attributes: { axis, epsilon: eps },
    };
    const gone = new Set([mean, sub, pow, v, add, sqrt]);
    nodes = nodes.filter((n) => !gone.has(n)).map((n) => (n === div ? fused : n));
  }
  return { ...g, nodes, initializers: inits };
}
