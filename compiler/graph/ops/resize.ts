/**
 * Resize / Upsample in nearest mode by integer factors -> ezkl Resize (each value repeated; the same as
 * ONNX nearest for integer factors with half_pixel/asymmetric coordinates and floor/round_prefer_floor).
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { repeatNearest } from "../tensor.js";

function factors(n: OpContext, dims: number[]): number[] {
  const mode = n.string("mode", "nearest");
  if (mode !== "nearest") throw n.unsupported(`mode '${mode}' (only nearest)`);
  const ct = n.string("coordinate_transformation_mode", "half_pixel");
  if (!["half_pixel", "asymmetric", "pytorch_half_pixel"].includes(ct)) throw n.unsupported(`coordinate_transformation_mode '${ct}'`);
  const nm = n.string("nearest_mode", "round_prefer_floor");
  if (!["floor", "round_prefer_floor"].includes(nm)) throw n.unsupported(`nearest_mode '${nm}'`);
  let f: number[] | undefined;
  if (n.op === "Upsample") f = n.constant(1) ? Array.from(n.constant(1)!.data) : n.ints("scales", []);
  else {
    const scales = n.ins[2] ? n.constant(2) : undefined, sizes = n.ins[3] ? n.constant(3) : undefined;
    if (scales && scales.data.length) f = Array.from(scales.data);
    else if (sizes) f = Array.from(sizes.data, (s, i) => s / dims[i]);
  }
  if (!f || f.length !== dims.length) throw n.unsupported("constant scales or sizes are required");
  if (f.some((v) => !Number.isInteger(v) || v < 1)) throw n.unsupported(`scale factors [${f}] (only integer upsampling)`);
  return f;
}

export const resize: OpLowering = {
  ops: ["Resize", "Upsample"],
  fold: (n) => repeatNearest(n.constant(0)!, factors(n, n.constant(0)!.dims)),
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const f = factors(n, g.dimsOf(x));
    return nodeValue(g.op({ Linear: { Resize: { scale_factor: f } } }, g.scaleOf(x), [x], (v) => repeatNearest(v[0], f), "Resize", n.name));
  },
};
