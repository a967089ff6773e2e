import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { BincodeError, decode, encode } from "../../compiler/bincode/codec.js";
import { GraphCircuit, GraphSettings } from "../../compiler/circuit/schema.js";

const FIXTURES = [
  "/work/shared/fixtures/ezkl-v21/model.compiled",
  "/work/shared/ezkl/vectors/mlp/model.compiled",
];
const present = FIXTURES.every((f) => existsSync(f));

describe("bincode GraphCircuit codec", () => {
  for (const f of FIXTURES) {
    it(`decodes ${f} fully and re-encodes byte-identical`, { skip: !present && "shared fixtures absent (/work/shared)" }, () => {
      const bytes = new Uint8Array(readFileSync(f));
      const { value, consumed } = decode(GraphCircuit, bytes);
      assert.equal(consumed, bytes.length);
      assert.deepEqual(encode(GraphCircuit, value), bytes);
    });
  }

  it("reads the fixture's documented structure", { skip: !present && "shared fixtures absent (/work/shared)" }, () => {
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

  it("settings round-trip through JSON (serde shape) and bincode", { skip: !present && "shared fixtures absent (/work/shared)" }, () => {
    const { value } = decode(GraphCircuit, new Uint8Array(readFileSync(FIXTURES[1])));
    const s = value.core.settings;
    const again = JSON.parse(JSON.stringify(s));
    assert.deepEqual(encode(GraphSettings, again), encode(GraphSettings, s));
    const official = JSON.parse(readFileSync("/work/shared/ezkl/vectors/mlp/settings.json", "utf8"));
    assert.deepEqual(encode(GraphSettings, official), encode(GraphSettings, s));
  });

  it("rejects truncated data and invalid tags with BincodeError", { skip: !present && "shared fixtures absent (/work/shared)" }, () => {
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
