/** Pad with zeros (constant mode) -> ezkl Pad (free: constant zeros around the cells). Other values and modes are refused. */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { pad as padKernel, type Tensor } from "../tensor.js";
import { normAxes } from "./axes.js";

function pads(n: OpContext, rank: number): [number, number][] {
  const mode = n.string("mode", "constant");
  if (mode !== "constant") throw n.unsupported(`mode '${mode}' (only constant zero padding)`);
  const value = n.ins[2] ? n.constant(2) : undefined;
  if (n.ins[2] && !value) throw n.unsupported("the pad value must be a constant");
  if (value && value.data[0] !== 0) throw n.unsupported(`pad value ${value.data[0]} (only 0: ezkl pads with zeros)`);
  const t = n.ins[1] ? n.constant(1) : undefined;
  if (n.ins[1] && !t) throw n.unsupported("pads must be constants");
  const raw = t ? Array.from(t.data) : n.ints("pads", []);
  const axesT = n.ins[3] ? n.constant(3) : undefined;
  const axes = axesT ? normAxes(Array.from(axesT.data), rank) : Array.from({ length: rank }, (_, i) => i);
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((a, i) => {
    const [b, e] = [raw[i], raw[i + axes.length]];
    if (b < 0 || e < 0) throw n.unsupported("negative pads (cropping)");
    out[a] = [b, e];
  });
  return out;
}

export const pad: OpLowering = {
  ops: ["Pad"],
  fold: (n) => {
    const x: Tensor = n.constant(0)!;
    return padKernel(x, pads(n, x.dims.length));
  },
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const p = pads(n, g.dimsOf(x).length);
    return nodeValue(g.op({ Linear: { Pad: p } }, g.scaleOf(x), [x], (v) => padKernel(v[0], p), "Pad", n.name));
  },
};
