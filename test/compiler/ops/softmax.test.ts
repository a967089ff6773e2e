import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkOp, singleOp, step } from "./harness.js";

describe("op Softmax", () => {
  it("last axis: exp lookup + max shuffle + reciprocal; proven in compile.test.ts", async () => {
    const r = await checkOp({ onnx: singleOp({ op: "Softmax", input: [2, 5], output: [2, 5], attributes: { axis: -1 } }), bound: 4 * step(), inputRange: [-3, 3], count: 4 });
    assert.deepEqual(r.compiled.settingsValue.required_lookups.map((l: object) => Object.keys(l)[0]), ["Exp"]);
  });
});
