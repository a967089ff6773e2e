/** Padding rules shared by the convolution and pooling lowerings. */
import type { OpContext } from "../context.js";

/** Per spatial axis (before, after) padding from `pads` or `auto_pad` (ONNX semantics). */
export function convPads(n: OpContext, inDims: number[], kernel: number[], stride: number[]): [number, number][] {
  const autoPad = n.string("auto_pad", "NOTSET");
  const spatial = inDims.slice(2);
  if (autoPad === "VALID") return kernel.map(() => [0, 0]);
  if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER")
    return spatial.map((d, i) => {
      const out = Math.ceil(d / stride[i]);
      const total = Math.max(0, (out - 1) * stride[i] + kernel[i] - d);
      const small = Math.floor(total / 2);
      return autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
    });
  const p = n.ints("pads", new Array(kernel.length * 2).fill(0));
  return kernel.map((_, i) => [p[i], p[i + kernel.length]]);
}
