import { describe, it } from "node:test";
import { checkOp, singleOp, step } from "./harness.js";

describe("ops Relu, LeakyRelu", () => {
  it("Relu", async () => {
    await checkOp({ onnx: singleOp({ op: "Relu", input: [2, 5], output: [2, 5] }), bound: step(), inputRange: [-4, 4] });
  });
  it("LeakyRelu (slope at param_scale, rebased)", async () => {
    await checkOp({ onnx: singleOp({ op: "LeakyRelu", input: [2, 5], output: [2, 5], attributes: { alpha: 0.2 } }), bound: 2 * step(), inputRange: [-4, 4] });
  });
});
