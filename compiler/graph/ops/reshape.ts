/** Flatten, Reshape, Squeeze, Unsqueeze: shape-only, the same on constants and variables (ezkl Reshape/Flatten). */
import { CompileError } from "../errors.js";
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import type { OpKind } from "../ir.js";
import { reshape as reshapeTensor, size } from "../tensor.js";

function reshapeTarget(inDims: number[], spec: number[], where: string): number[] {
  const out = spec.map((d, i) => (d === 0 ? inDims[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = size(inDims);
  const res = out.map((d) => (d === -1 ? total / known : d));
  if (size(res) !== total || res.some((d) => !Number.isInteger(d) || d < 0))
    throw new CompileError(`${where}: cannot reshape [${inDims}] to [${spec}]`);
  return res;
}

/** The output shape of the node for an input of shape `inDims`. */
function target(n: OpContext, inDims: number[]): number[] {
  if (n.op === "Flatten") {
    let axis = n.int("axis", 1);
    if (axis < 0) axis += inDims.length;
    return [size(inDims.slice(0, axis)), size(inDims.slice(axis))];
  }
  if (n.op === "Reshape") {
    const shape = n.constant(1);
    if (!shape) throw n.unsupported("the shape input must be a constant");
    return reshapeTarget(inDims, Array.from(shape.data), n.where);
  }
  // Squeeze / Unsqueeze: axes from the second input (opset >= 13) or the attribute
  const axesT = n.constant(1);
  const raw = axesT ? Array.from(axesT.data) : n.ints("axes", []);
  const rank = inDims.length + (n.op === "Unsqueeze" ? raw.length : 0);
  const axes = raw.map((a) => (a < 0 ? a + rank : a));
  if (n.op === "Unsqueeze") {
    const out = [...inDims];
    for (const a of [...axes].sort((x, y) => x - y)) out.splice(a, 0, 1);
    return out;
  }
  return inDims.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
}

export const reshape: OpLowering = {
  ops: ["Flatten", "Reshape", "Squeeze", "Unsqueeze"],
  fold(n) {
    const x = n.constant(0)!;
    return reshapeTensor(x, target(n, x.dims));
  },
  lower(n) {
    const x = n.requireVariable(0);
    const dims = target(n, n.g.dimsOf(x));
    const opkind: OpKind = n.op === "Flatten" ? { Flatten: dims } : { Reshape: dims };
    return nodeValue(n.g.op({ Linear: opkind }, n.g.scaleOf(x), [x], (v) => reshapeTensor(v[0], dims), n.op === "Flatten" ? "Flatten" : "Reshape", n.name));
  },
};
