import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { BincodeError, decode, encode } from "../../compiler/bincode/codec.js";
import { GraphCircuit, GraphSettings } from "../../compiler/circuit/schema.js";
import { SHARED_ABSENT, sharedPath } from "../../testkit/shared.js";

const FIXTURES = [
  sharedPath("fixtures/ezkl-v21/model.compiled"),
  sharedPath("ezkl/vectors/mlp/model.compiled"),
];
const present = FIXTURES.every((f) => existsSync(f));

describe("bincode GraphCircuit codec", () => {
  for (const f of FIXTURES) {
    it(`decodes ${f} fully and re-encodes byte-identical`, { skip: !present && SHARED_ABSENT }, () => {
      const bytes = new Uint8Array(readFileSync(f));
      const { value, consumed } = decode(GraphCircuit, bytes);
      assert.equal(consumed, bytes.length);
      assert.deepEqual(encode(GraphCircuit, value), bytes);
    });
  }

  it("reads the fixture's documented structure", { skip: !present && SHARED_ABSENT }, () => {
    const { value } = decode(GraphCircuit, new Uint8Array(readFileSync(FIXTURES[0])));
    const nodes = value.core.model.graph.nodes;
    assert.deepEqual(nodes.map((n: [number, unknown]) => n[0]), [0, 1, 2, 3, 4, 6]);
    assert.deepEqual(nodes[2][1].Node.opkind, { Linear: { Einsum: { equation: "mk,nk->mn" } } });
    assert.deepEqual(nodes[5][1].Node.opkind, { Linear: { LeakyReLU: { slope: 0, scale: 1 } } });
    assert.equal(value.core.settings.run_args.logrows, 6);
    assert.deepEqual(value.core.settings.required_range_checks, [[-1, 1], [0, 127]]);
    // -1 as a field element is r - 1
    assert.equal(nodes[1][1].Node.opkind.Constant.quantized_values.inner[1], 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000n);
  });

  it("settings round-trip through JSON (serde shape) and bincode", { skip: !present && SHARED_ABSENT }, () => {
    const { value } = decode(GraphCircuit, new Uint8Array(readFileSync(FIXTURES[1])));
    const s = value.core.settings;
    const again = JSON.parse(JSON.stringify(s));
    assert.deepEqual(encode(GraphSettings, again), encode(GraphSettings, s));
    const official = JSON.parse(readFileSync(sharedPath("ezkl/vectors/mlp/settings.json"), "utf8"));
    assert.deepEqual(encode(GraphSettings, official), encode(GraphSettings, s));
  });

  it("rejects truncated data and invalid tags with BincodeError", { skip: !present && SHARED_ABSENT }, () => {
    const bytes = new Uint8Array(readFileSync(FIXTURES[0]));
    assert.throws(() => decode(GraphCircuit, bytes.subarray(0, 1000)), BincodeError);
    const bad = bytes.slice();
    bad[0x10] = 9; // NodeType tag of node 0 -> invalid variant
    assert.throws(() => decode(GraphCircuit, bad), /invalid NodeType variant index/);
  });

  it("encodes negative field elements as r - |v| and rejects unknown variants", () => {
    const frVec = { k: "vec", of: { k: "fr" } } as const;
    const b = encode(frVec, [-1n, 5]);
    assert.equal(b.length, 8 + 64);
    assert.equal(b[8], 0x00);
    assert.equal(b[8 + 31], 0x30);
    assert.deepEqual(decode(frVec, b).value, [0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000n, 5n]);
    assert.throws(() => encode(GraphSettings, { run_args: {} }), BincodeError);
  });
});

describe("lowering reproduces an independently built circuit", () => {
  const VEC = sharedPath("ezkl/vectors/mlp/model.compiled");
  it("the shared MLP vector: same bytes from our ONNX -> circuit path (num_rows aside)", { skip: !existsSync(VEC) && SHARED_ABSENT }, async () => {
    const { buildOnnxModel } = await import("../../compiler/onnx/write.js");
    const { readOnnxModel } = await import("../../compiler/onnx/read.js");
    const { lowerGraph } = await import("../../compiler/graph/lower.js");
    const { buildCircuitValue, buildSettings } = await import("../../compiler/circuit/build.js");
    const q = (xs: number[]) => xs.map((x) => x / 128);
    const onnx = buildOnnxModel({
      name: "mlp", inputs: [{ name: "x", shape: [1, 3] }], outputs: [{ name: "y", shape: [1, 2] }],
      initializers: [
        { name: "W1", dims: [4, 3], data: q([64, -32, 96, -77, 38, 13, 26, 115, -51, 6, -90, 42]) },
        { name: "b1", dims: [4], data: q([13, -26, 6, 38]) },
        { name: "W2", dims: [2, 4], data: q([51, -38, 102, 19, -64, 77, 26, -13]) },
        { name: "b2", dims: [2], data: q([3, -9]) },
      ],
      nodes: [
        { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"], attributes: { transB: 1 } },
        { op: "Relu", inputs: ["h"], outputs: ["r"] },
        { op: "Gemm", inputs: ["r", "W2", "b2"], outputs: ["y"], attributes: { transB: 1 } },
      ],
    });
    const m = lowerGraph(readOnnxModel(onnx), { inputScale: 7, paramScale: 7 });
    const settings = buildSettings(m, { logrows: 10, totalAssignments: 20000, totalConstSize: 90, lookupRange: [-32768, 32768], decompBase: 128, decompLegs: 2, numInnerCols: 2 });
    settings.num_rows = 0; // the vector left num_rows (unused by configure) at 0
    const ours = encode(GraphCircuit, buildCircuitValue(m, settings));
    assert.deepEqual(ours, new Uint8Array(readFileSync(VEC)));
  });
});
