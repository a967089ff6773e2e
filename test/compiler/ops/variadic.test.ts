import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, step } from "./harness.js";

const model = (op: string, withConst = false) =>
  buildOnnxModel({
    name: op, inputs: [{ name: "a", shape: [1, 5] }, { name: "b", shape: [1, 5] }], outputs: [{ name: "y", shape: [1, 5] }],
    initializers: withConst ? [{ name: "c", dims: [5], data: [0.5, -0.5, 0, 1, -1] }] : [],
    nodes: [{ op, inputs: withConst ? ["a", "b", "c"] : ["a", "b"], outputs: ["y"] }],
  });

describe("variadic Max, Min, Sum, Mean", () => {
  it("Max and Min of two variables and of a constant", async () => {
    await checkOp({ onnx: model("Max"), bound: step(), inputRange: [-2, 2], count: 3 });
    await checkOp({ onnx: model("Min", true), bound: step(), inputRange: [-2, 2] });
  });
  it("Sum and Mean (1/3: a rebased product; 1/2: a scale shift)", async () => {
    await checkOp({ onnx: model("Sum", true), bound: 2 * step(), inputRange: [-2, 2] });
    await checkOp({ onnx: model("Mean", true), bound: 2 * step(), inputRange: [-2, 2] });
    await checkOp({ onnx: model("Mean"), bound: step(), inputRange: [-2, 2] });
  });
});
