import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, singleOp, step } from "./harness.js";

const act = (op: string, attributes = {}, opset?: number) => singleOp({ op, input: [1, 8], output: [1, 8], attributes, opset });

describe("activations", () => {
  it("Gelu exact (Erf) and tanh approximation (opset 20), and Gelu as exporters emit it before opset 20", async () => {
    await checkOp({ onnx: act("Gelu", {}, 20), bound: 4 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: act("Gelu", { approximate: "tanh" }, 20), bound: 6 * step(), inputRange: [-3, 3] });
    // torch.nn.GELU exported at opset 13: x * 0.5 * (1 + erf(x / sqrt(2)))
    const onnx = buildOnnxModel({
      name: "gelu-graph", inputs: [{ name: "x", shape: [1, 8] }], outputs: [{ name: "y", shape: [1, 8] }],
      initializers: [{ name: "s2", dims: [], data: [Math.SQRT2] }, { name: "one", dims: [], data: [1] }, { name: "half", dims: [], data: [0.5] }],
      nodes: [
        { op: "Div", inputs: ["x", "s2"], outputs: ["a"] },
        { op: "Erf", inputs: ["a"], outputs: ["b"] },
        { op: "Add", inputs: ["b", "one"], outputs: ["c"] },
        { op: "Mul", inputs: ["x", "c"], outputs: ["d"] },
        { op: "Mul", inputs: ["d", "half"], outputs: ["y"] },
      ],
    });
    await checkOp({ onnx, bound: 4 * step(), inputRange: [-3, 3] });
  });
  it("Softplus, Softsign, Mish", async () => {
    await checkOp({ onnx: act("Softplus"), bound: 3 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: act("Softsign"), bound: 3 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: act("Mish", {}, 18), bound: 4 * step(), inputRange: [-3, 3] });
  });
  it("HardSigmoid, Elu, Selu, Celu", async () => {
    await checkOp({ onnx: act("HardSigmoid"), bound: 2 * step(), inputRange: [-4, 4] });
    await checkOp({ onnx: act("Elu", { alpha: 0.8 }), bound: 3 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: act("Selu"), bound: 4 * step(), inputRange: [-3, 3] });
    await checkOp({ onnx: act("Celu", { alpha: 1 }, 12), bound: 3 * step(), inputRange: [-3, 3] });
  });
  it("PRelu (scalar: LeakyReLU; per channel: select) and Clip (Relu6-like, general bounds)", async () => {
    await checkOp({ onnx: singleOp({ op: "PRelu", input: [1, 4], output: [1, 4], consts: [{ name: "s", dims: [1], data: [0.25] }] }), bound: 2 * step(), inputRange: [-2, 2] });
    await checkOp({ onnx: singleOp({ op: "PRelu", input: [1, 3, 2], output: [1, 3, 2], consts: [{ name: "s", dims: [3, 1], data: [0.1, 0.2, 0.3] }] }), bound: 2 * step(), inputRange: [-2, 2] });
    await checkOp({ onnx: singleOp({ op: "Clip", input: [1, 8], output: [1, 8], consts: [{ name: "lo", dims: [], data: [0] }, { name: "hi", dims: [], data: [6] }] }), bound: step(), inputRange: [-3, 9] });
    await checkOp({ onnx: singleOp({ op: "Clip", input: [1, 8], output: [1, 8], consts: [{ name: "lo", dims: [], data: [-0.5] }, { name: "hi", dims: [], data: [0.75] }] }), bound: step(), inputRange: [-2, 2] });
  });
});
