// @tier slow  (compiles and proves many circuits: its own process, not the ops group)
import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step, weights } from "./harness.js";

describe("LayerNormalization and InstanceNormalization", () => {
  it("LayerNormalization (opset 17) over the last axis; proves and verifies (Sum, MeanOfSquares, Rsqrt)", async () => {
    const onnx = singleOp({ op: "LayerNormalization", input: [1, 3, 8], output: [1, 3, 8], attributes: { axis: -1, epsilon: 1e-5 }, opset: 17,
      consts: [{ name: "g", dims: [8], data: Float32Array.from({ length: 8 }, (_, i) => 0.8 + 0.05 * i) }, { name: "b", dims: [8], data: weights(2, 8, 0.2) }] });
    await checkOp({ onnx, bound: 8 * step(), inputRange: [-2, 2], prove: true, count: 3 });
  });

  it("the graph exporters emit for LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), as in torch.nn.LayerNorm at opset 13", async () => {
    const onnx = buildOnnxModel({
      name: "ln-graph", opset: 13, inputs: [{ name: "x", shape: [1, 4, 6] }], outputs: [{ name: "y", shape: [1, 4, 6] }],
      initializers: [
        { name: "two", dims: [], data: [2] }, { name: "eps", dims: [], data: [1e-5] },
        { name: "g", dims: [6], data: Float32Array.from({ length: 6 }, (_, i) => 1 - 0.1 * i) }, { name: "b", dims: [6], data: weights(3, 6, 0.1) },
      ],
      nodes: [
        { op: "ReduceMean", inputs: ["x"], outputs: ["m"], attributes: { axes: [-1] } },
        { op: "Sub", inputs: ["x", "m"], outputs: ["d"] },
        { op: "Pow", inputs: ["d", "two"], outputs: ["d2"] },
        { op: "ReduceMean", inputs: ["d2"], outputs: ["v"], attributes: { axes: [-1] } },
        { op: "Add", inputs: ["v", "eps"], outputs: ["ve"] },
        { op: "Sqrt", inputs: ["ve"], outputs: ["s"] },
        { op: "Div", inputs: ["d", "s"], outputs: ["n"] },
        { op: "Mul", inputs: ["n", "g"], outputs: ["ng"] },
        { op: "Add", inputs: ["ng", "b"], outputs: ["y"] },
      ],
    });
    await checkOp({ onnx, bound: 10 * step(), inputRange: [-2, 2] });
  });

  it("InstanceNormalization (per channel gamma/beta over the spatial axes)", async () => {
    const onnx = singleOp({ op: "InstanceNormalization", input: [1, 2, 3, 3], output: [1, 2, 3, 3], consts: [{ name: "g", dims: [2], data: [1, 0.5] }, { name: "b", dims: [2], data: [0, 0.1] }] });
    await checkOp({ onnx, bound: 8 * step(), inputRange: [-2, 2] });
  });
});
