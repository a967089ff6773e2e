/** Conv (2-D, NCHW/OIHW) -> ezkl Conv: kernel at param_scale, bias at the output scale (input + param). */
import { nodeValue, type OpLowering } from "../context.js";
import { conv as convKernel } from "../tensor.js";
import { convPads } from "./spatial.js";

export const conv: OpLowering = {
  ops: ["Conv"],
  lower(n) {
    const g = n.g;
    const x = n.variable(0), w = n.constant(1);
    if (x === undefined || !w) throw n.unsupported("input must be variable and the kernel a constant");
    const bias = n.constant(2);
    if (n.ins[2] && !bias) throw n.unsupported("bias must be a constant");
    const inDims = g.dimsOf(x);
    if (inDims.length !== 4 || w.dims.length !== 4) throw n.unsupported(`only 2-D convolutions on NCHW input are supported (input [${inDims}])`);
    if (n.ints("dilations", [1, 1]).some((d) => d !== 1)) throw n.unsupported("non-unit dilations");
    const kernel = w.dims.slice(2);
    const stride = n.ints("strides", [1, 1]);
    const pads = convPads(n, inDims, kernel, stride);
    const group = n.int("group", 1);
    const wq = g.constant(w, g.paramScale, n.name);
    const outScale = g.scaleOf(x) + g.paramScale;
    const inputs = [x, wq];
    if (bias) inputs.push(g.constant(bias, outScale, n.name));
    return nodeValue(g.op(
      { Linear: { Conv: { padding: pads, stride, group, data_format: "NCHW", kernel_format: "OIHW" } } },
      outScale, inputs, (v) => convKernel(v[0], v[1], v[2], pads, stride, group), "Conv", n.name,
    ));
  },
};
