import { describe, it } from "node:test";
import { buildOnnxModel } from "../../../compiler/onnx/write.js";
import { checkOp, step } from "./harness.js";

const two = (nodes: { op: string; inputs: string[]; outputs: string[] }[], out = "y", elemType?: number) =>
  buildOnnxModel({ name: "logic", inputs: [{ name: "a", shape: [1, 6] }, { name: "b", shape: [1, 6] }], outputs: [{ name: out, shape: [1, 6], elemType }], nodes });

describe("comparisons, boolean logic and Where", () => {
  it("Greater/Less/GreaterOrEqual/LessOrEqual/Equal as 0/1 (cast to float); Where selects; Where proves and verifies", async () => {
    for (const op of ["Greater", "Less", "GreaterOrEqual", "LessOrEqual"])
      await checkOp({ onnx: two([{ op, inputs: ["a", "b"], outputs: ["c"] }, { op: "Cast", inputs: ["c"], outputs: ["y"], attributes: { to: 1 } } as never]), bound: 0, inputRange: [-2, 2] });
    // integers so that Equal sees ties
    await checkOp({ onnx: two([{ op: "Equal", inputs: ["a", "b"], outputs: ["c"] }, { op: "Cast", inputs: ["c"], outputs: ["y"], attributes: { to: 1 } } as never]), bound: 0, inputRange: [0, 2] });
    await checkOp({ onnx: two([{ op: "Greater", inputs: ["a", "b"], outputs: ["c"] }, { op: "Where", inputs: ["c", "a", "b"], outputs: ["y"] }]), bound: step(), inputRange: [-2, 2], prove: true, count: 3 });
  });
  it("Not, And, Or, Xor on comparison masks", async () => {
    for (const op of ["And", "Or", "Xor"])
      await checkOp({
        onnx: two([
          { op: "Greater", inputs: ["a", "b"], outputs: ["p"] },
          { op: "Less", inputs: ["a", "b"], outputs: ["q0"] },
          { op: "Not", inputs: ["q0"], outputs: ["q"] },
          { op, inputs: ["p", "q"], outputs: ["c"] },
          { op: "Cast", inputs: ["c"], outputs: ["y"], attributes: { to: 1 } } as never,
        ]),
        bound: 0, inputRange: [0, 3],
      });
  });
});
