/**
 * Conv (1-D and 2-D, NC[H]W / OI[H]W, pads/strides/groups) -> ezkl Conv: kernel at param_scale, bias at
 * the output scale (input + param). ConvTranspose -> ezkl DeConv (kernel turned to OIHW, group 1).
 */
import { nodeValue, type OpContext, type OpLowering } from "../context.js";
import { convNd, convTranspose, transpose } from "../tensor.js";
import { convPads } from "./spatial.js";

/** The operands both convolutions take (a variable input, a constant kernel and optional constant bias) and their shared limits. */
function operands(n: OpContext) {
  const x = n.variable(0), w = n.constant(1);
  if (x === undefined || !w) throw n.unsupported("input must be variable and the kernel a constant");
  const bias = n.constant(2);
  if (n.ins[2] && !bias) throw n.unsupported("bias must be a constant");
  const inDims = n.g.dimsOf(x);
  if (inDims.length < 3 || inDims.length > 4 || w.dims.length !== inDims.length)
    throw n.unsupported(`only 1-D and 2-D convolutions on NC[H]W input are supported (input [${inDims}], kernel [${w.dims}])`);
  const sp = inDims.length - 2;
  if (n.ints("dilations", new Array(sp).fill(1)).some((d) => d !== 1)) throw n.unsupported("non-unit dilations");
  return { x, w, bias, inDims, sp };
}

export const conv: OpLowering = {
  ops: ["Conv"],
  lower(n) {
    const g = n.g;
    const { x, w, bias, inDims, sp } = operands(n);
    const kernel = w.dims.slice(2);
    const stride = n.ints("strides", new Array(sp).fill(1));
    const pads = convPads(n, inDims, kernel, stride);
    const group = n.int("group", 1);
    const wq = g.constant(w, g.paramScale, n.name);
    const outScale = g.scaleOf(x) + g.paramScale;
    const inputs = [x, wq];
    if (bias) inputs.push(g.constant(bias, outScale, n.name));
    return nodeValue(g.op(
      { Linear: { Conv: { padding: pads, stride, group, data_format: "NCHW", kernel_format: "OIHW" } } },
      outScale, inputs, (v) => convNd(v[0], v[1], v[2], pads, stride, group), "Conv", n.name,
    ));
  },
};

export const convTransposeOp: OpLowering = {
  ops: ["ConvTranspose"],
  lower(n) {
    const g = n.g;
    const { x, w, bias, inDims, sp } = operands(n);
    const group = n.int("group", 1);
    if (group !== 1) throw n.unsupported("groups");
    if (n.has("output_shape")) throw n.unsupported("the output_shape attribute (give pads instead)");
    const kernel = w.dims.slice(2);
    const stride = n.ints("strides", new Array(sp).fill(1));
    const autoPad = n.string("auto_pad", "NOTSET");
    if (autoPad !== "NOTSET" && autoPad !== "VALID") throw n.unsupported(`auto_pad ${autoPad}`);
    const p = n.ints("pads", new Array(sp * 2).fill(0));
    const pads = kernel.map((_, i) => [p[i], p[i + sp]] as [number, number]);
    const outPad = n.ints("output_padding", new Array(sp).fill(0));
    // ONNX keeps the kernel as [C_in, C_out, k...]; ezkl's DeConv reads OIHW
    const oihw = transpose(w, [1, 0, ...kernel.map((_, i) => i + 2)]);
    const wq = g.constant(oihw, g.paramScale, n.name);
    const outScale = g.scaleOf(x) + g.paramScale;
    const inputs = [x, wq];
    if (bias) inputs.push(g.constant(bias, outScale, n.name));
    return nodeValue(g.op(
      { Linear: { DeConv: { padding: pads, output_padding: outPad, stride, group, data_format: "NCHW", kernel_format: "OIHW" } } },
      outScale, inputs, (v) => convTranspose(v[0], w, v[2], pads, stride, outPad, group), "DeConv", n.name,
    ));
  },
};
