import { describe, it } from "node:test";
import { checkOp, singleOp, step } from "./harness.js";

describe("op Div", () => {
  it("by a constant: x * (1/c)", async () => {
    const onnx = singleOp({ op: "Div", input: [1, 4], output: [1, 4], consts: [{ name: "c", dims: [4], data: [2, -4, 0.5, 3] }] });
    await checkOp({ onnx, bound: 4 * step(), inputRange: [-3, 3] });
  });
});
