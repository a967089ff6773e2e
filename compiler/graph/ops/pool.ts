/**
 * AveragePool, GlobalAveragePool -> ezkl SumPool{ normalized }; MaxPool -> ezkl MaxPool (the max of
 * a window is the last element of a sorted copy, proven with a shuffle argument).
 */
import { nodeValue, type OpLowering } from "../context.js";
import { pool as poolKernel } from "../tensor.js";
import { convPads } from "./spatial.js";

export const pool: OpLowering = {
  ops: ["AveragePool", "GlobalAveragePool", "MaxPool"],
  lower(n) {
    const g = n.g;
    const x = n.requireVariable(0);
    const inDims = g.dimsOf(x);
    if (inDims.length !== 4) throw n.unsupported("only 2-D pooling on NCHW input");
    const global = n.op === "GlobalAveragePool";
    const kernel = global ? inDims.slice(2) : n.ints("kernel_shape", []);
    const stride = global ? kernel : n.ints("strides", [1, 1]);
    if (n.int("ceil_mode", 0)) throw n.unsupported("ceil_mode=1");
    if (n.ints("dilations", [1, 1]).some((d) => d !== 1)) throw n.unsupported("dilations");
    const pads = global ? ([[0, 0], [0, 0]] as [number, number][]) : convPads(n, inDims, kernel, stride);
    const padded = pads.some(([p, q]) => p || q);
    if (padded && n.op === "MaxPool") throw n.unsupported("padding (ezkl pads with 0, ONNX with -inf)");
    const windows = inDims[0] * inDims[1] *
      (Math.floor((inDims[2] + pads[0][0] + pads[0][1] - kernel[0]) / stride[0]) + 1) *
      (Math.floor((inDims[3] + pads[1][0] + pads[1][1] - kernel[1]) / stride[1]) + 1);
    if (padded && n.op === "AveragePool" && !n.int("count_include_pad", 0)) throw n.unsupported("padding with count_include_pad=0");
    if (n.op === "MaxPool") {
      const k = kernel[0] * kernel[1];
      return nodeValue(g.op({ Hybrid: { MaxPool: { padding: pads, stride, pool_dims: kernel, data_format: "NCHW" } } }, g.scaleOf(x), [x], (v) => poolKernel(v[0], "max", kernel, pads, stride, false), "MaxPool", n.name,
        // comparisons use boolean masks
        { rangeChecks: [[0, 1]], shuffle: k > 1 ? { cells: windows * k, count: windows } : undefined }));
    }
    return nodeValue(g.op({ Hybrid: { SumPool: { padding: pads, stride, kernel_shape: kernel, normalized: true, data_format: "NCHW" } } }, g.scaleOf(x), [x], (v) => poolKernel(v[0], "sum", kernel, pads, stride, true), "SumPool", n.name));
  },
};
