import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseRustDebug, RustDebugParseError } from "../../halo2/circuit/rust-debug.js";
import { parsePinnedVerifyingKey, PinnedKeyError } from "../../halo2/circuit/pinned.js";
import { buildCircuitDescription, CircuitCheckError } from "../../halo2/circuit/build.js";
import { loadCircuitDescription, CircuitDescriptionError } from "../../halo2/circuit/load.js";
import { describeBundle, describeCircuit, ScrapeError } from "../../halo2/circuit/describe.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseVkBytes, readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { groupRotationSets } from "../../halo2/verify/shplonk.js";
import { mul, parseHex, pow } from "../../halo2/field.js";
import { loadVector, SKIP_SHARED } from "../../testkit/halo2/vectors.js";

describe("Rust Debug parser", () => {
  it("parses structs, tuple structs, units, tuples, lists, maps, strings, ints and hex", () => {
    const n = parseRustDebug('A { b: Rotation(-1), c: [(0x0A, Infinity)], d: {"k[0]": X { y: 2 }}, e: None, f: "s\\"q" }');
    assert.equal(n.kind, "struct");
    if (n.kind !== "struct") return;
    assert.deepEqual(n.order, ["b", "c", "d", "e", "f"]);
    assert.deepEqual(n.fields.b, { kind: "tupleStruct", name: "Rotation", items: [{ kind: "int", value: -1n }] });
    assert.deepEqual(n.fields.c, { kind: "list", items: [{ kind: "tuple", items: [{ kind: "hex", value: "0x0a" }, { kind: "ident", name: "Infinity" }] }] });
    assert.equal(n.fields.d.kind, "map");
    assert.deepEqual(n.fields.e, { kind: "ident", name: "None" });
    assert.deepEqual(n.fields.f, { kind: "string", value: 's"q' });
  });

  it("rejects unbalanced or trailing text with the offset", () => {
    assert.throws(() => parseRustDebug("A { b: 1"), RustDebugParseError);
    assert.throws(() => parseRustDebug("A { b: 1 } }"), /trailing text/);
    assert.throws(() => parseRustDebug("A { b: 1, b: 2 }"), /duplicate field b/);
  });

  it("the typed converter names the bad node", () => {
    assert.throws(() => parsePinnedVerifyingKey("Foo { a: 1 }"), PinnedKeyError);
  });
});

for (const name of ["fixture", "mlp"] as const) {
  describe(`circuit description from the pinned text: ${name}`, { skip: SKIP_SHARED }, () => {
    it("has the constraint-system shape recorded in the vectors", () => {
      const v = loadVector(name);
      const s = v.vectors.constraint_system_shape;
      const d = v.desc;
      assert.equal(d.derived.csDegree, s.cs_degree);
      assert.equal(d.derived.quotientPieces, s.quotient_pieces);
      assert.equal(d.cs.permutationColumns.length, s.permutation_columns);
      assert.equal(d.derived.permutationChunkLen, s.permutation_chunk_len);
      assert.equal(d.derived.permutationChunks, s.permutation_z_chunks);
      assert.equal(d.cs.numAdviceColumns, s.advice_columns);
      assert.equal(d.cs.lookups.length, s.mv_lookups);
      assert.equal(d.cs.adviceQueries.length, s.advice_queries);
      assert.equal(d.cs.fixedQueries.length, s.fixed_queries);
      assert.equal(d.cs.numFixedColumns, s.fixed_columns);
      assert.equal(d.cs.gates.length, s.gates);
      assert.equal(d.k, v.vectors.k);
      assert.equal(d.omega, v.vectors.omega);
      assert.equal(d.derived.proofLength, v.proof.length);
      assert.deepEqual(d.checks, { commitmentsMatchVk: true, vkLengthMatches: true, digestInEngineMemory: true, proofLengthMatches: true });
      // The proof sections tile the proof exactly.
      let off = 0;
      for (const sec of d.derived.proofSections) {
        assert.equal(sec.offset, off, sec.name);
        off += sec.count * (sec.kind === "point" ? 64 : 32);
      }
      assert.equal(off, v.proof.length);
    });

    it("commitments in the text equal the VK bytes; a changed commitment is a hard 'commitments' error", () => {
      const v = loadVector(name);
      const vk = parseVkBytes(v.vkBytes, v.desc.cs.permutationColumns.length, v.desc.cs.numSelectors);
      assert.deepEqual(vk.fixedCommitments, v.desc.fixedCommitments);
      assert.deepEqual(vk.permutationCommitments, v.desc.permutationCommitments);
      const c = v.desc.permutationCommitments[0]!;
      const tampered = v.pinnedText.replace(c.x, c.x.slice(0, -1) + (c.x.endsWith("0") ? "1" : "0"));
      assert.notEqual(tampered, v.pinnedText);
      assert.throws(
        () => buildCircuitDescription({ pinnedText: tampered, vkBytes: v.vkBytes, digestInEngineMemory: true }),
        (e: unknown) => e instanceof CircuitCheckError && e.check === "commitments",
      );
    });

    it("each other check fails loudly: vk length, digest, proof length", () => {
      const v = loadVector(name);
      const base = { pinnedText: v.pinnedText, vkBytes: v.vkBytes, digestInEngineMemory: true };
      const isCheck = (check: string) => (e: unknown) => e instanceof CircuitCheckError && e.check === check;
      assert.throws(() => buildCircuitDescription({ ...base, vkBytes: v.vkBytes.slice(0, -64) }), isCheck("vk-length"));
      assert.throws(() => buildCircuitDescription({ ...base, digestInEngineMemory: false }), isCheck("digest"));
      assert.throws(() => buildCircuitDescription({ ...base, realProofLength: v.proof.length + 32 }), isCheck("proof-length"));
    });

    it("the symbolic opening list groups into the same SHPLONK rotation sets as halo2's grouping by point value", () => {
      const v = loadVector(name);
      const omega = parseHex(v.desc.omega);
      const x = 0x1234567890abcdefn;
      const point = (r: number) => mul(x, pow(omega, BigInt(((r % v.desc.n) + v.desc.n) % v.desc.n)));
      const byValue = groupRotationSets(v.desc.derived.openings.map((o) => ({ commitment: o.commitment, point: point(o.rotation), eval: 0n })));
      assert.deepEqual(
        byValue.sets.map((s) => ({ points: s.points, commitments: s.commitments })),
        v.desc.derived.rotationSets.map((s) => ({ points: s.rotations.map(point), commitments: s.commitments })),
      );
      const counts = v.desc.derived.openings.reduce((m, o) => m.set(o.commitment, (m.get(o.commitment) ?? 0) + 1), new Map<string, number>());
      assert.equal(counts.get("h"), 1);
      assert.equal(counts.get("advice:0")! >= 1, true);
    });

    it("survives a JSON round trip through loadCircuitDescription, which rejects inconsistent JSON", () => {
      const v = loadVector(name);
      const json = JSON.parse(JSON.stringify(v.desc));
      assert.deepEqual(loadCircuitDescription(json), v.desc);
      const badDerived = JSON.parse(JSON.stringify(v.desc));
      badDerived.derived.proofLength += 32;
      assert.throws(() => loadCircuitDescription(badDerived), CircuitDescriptionError);
      const badQuery = JSON.parse(JSON.stringify(v.desc));
      badQuery.cs.gates[0] = { t: "advice", query: 99999, column: 0, rotation: 0, phase: 0 };
      assert.throws(() => loadCircuitDescription(badQuery), /out of range/);
      const badPoint = JSON.parse(JSON.stringify(v.desc));
      badPoint.permutationCommitments[0].y = badPoint.permutationCommitments[0].x;
      assert.throws(() => loadCircuitDescription(badPoint), /not on the curve/);
    });
  });
}

describe("SRS verifier parameters", { skip: SKIP_SHARED }, () => {
  it("g[0] is the G1 generator and the file length must match k", () => {
    const v = loadVector("fixture");
    assert.equal(v.srs.k, 6);
    assert.equal(BigInt(v.srs.g1.x), 1n);
    assert.equal(BigInt(v.srs.g1.y), 2n);
    assert.throws(() => readSrsVerifierParams(v.srsBytes.slice(0, -1)), /length/);
  });
});

describe("describeCircuit (fresh-process scrape of the engine)", { skip: SKIP_SHARED }, () => {
  it("recovers the fixture's pinned key with every check passing and the recorded digest", async () => {
    const v = loadVector("fixture");
    const desc = await describeCircuit({ compiled: v.compiled, settings: v.settings, srs: v.srsBytes, vk: v.vkBytes, proof: v.proofJson });
    assert.equal(desc.vkDigest, v.vectors.vk_digest.value);
    assert.deepEqual(desc.checks, { commitmentsMatchVk: true, vkLengthMatches: true, digestInEngineMemory: true, proofLengthMatches: true });
    assert.deepEqual(desc.instanceCounts, [4]);
    assert.deepEqual(desc.cs, v.desc.cs);
  });

  it("recovers the MLP's pinned key, whose first bytes the allocator overwrote (prefix restored)", { timeout: 120_000 }, async () => {
    const v = loadVector("mlp");
    assert.equal(v.vectors.vk_digest.pinned_scrape.prefix_clobbered, true);
    const desc = await describeCircuit({ compiled: v.compiled, settings: v.settings, srs: v.srsBytes, vk: v.vkBytes, proof: v.proof });
    assert.equal(desc.vkDigest, v.vectors.vk_digest.value);
    assert.equal(desc.pinnedTextSha256, v.vectors.vk_digest.pinned_string_sha256);
    assert.deepEqual(desc.instanceCounts, [5]);
    assert.deepEqual(desc.cs, v.desc.cs);
  });

  it("an engine failure in the child (garbage compiled circuit) is a ScrapeError, not a hang or a crash", async () => {
    const v = loadVector("fixture");
    await assert.rejects(
      describeCircuit({ compiled: new Uint8Array(64).fill(7), settings: v.settings, srs: v.srsBytes, vk: v.vkBytes }),
      (e: unknown) => e instanceof ScrapeError && /engine child exited/.test(e.message),
    );
  });

  it("a verifying key that does not belong to the circuit is rejected by the commitments check", async () => {
    const v = loadVector("fixture");
    const vk = v.vkBytes.slice();
    // Replace fixed commitment 0 with the vk's first permutation commitment (a valid point, wrong key).
    const permStart = 7 + 64 * v.desc.cs.numFixedColumns;
    vk.set(v.vkBytes.subarray(permStart, permStart + 64), 7);
    await assert.rejects(
      describeCircuit({ compiled: v.compiled, settings: v.settings, srs: v.srsBytes, vk }),
      (e: unknown) => e instanceof CircuitCheckError && e.check === "commitments",
    );
  });
});

describe("describeBundle caches circuit.json next to a bundle", { skip: SKIP_SHARED }, () => {
  it("scrapes once, then loads the cache; a different vk.bin is not served from the cache", async () => {
    const v = loadVector("fixture");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "halo2-bundle-"));
    try {
      fs.writeFileSync(path.join(dir, "model.compiled"), v.compiled);
      fs.writeFileSync(path.join(dir, "settings.json"), v.settings);
      fs.writeFileSync(path.join(dir, "srs.bin"), v.srsBytes);
      fs.writeFileSync(path.join(dir, "vk.bin"), v.vkBytes);
      const first = await describeBundle(dir);
      assert.equal(first.vkDigest, v.vectors.vk_digest.value);
      assert.ok(fs.existsSync(path.join(dir, "circuit.json")));
      const t = Date.now();
      const second = await describeBundle(dir);
      assert.ok(Date.now() - t < 1000, "cached description should load without a scrape");
      assert.deepEqual(second, first);
      const vk = v.vkBytes.slice();
      vk[8] ^= 1;
      fs.writeFileSync(path.join(dir, "vk.bin"), vk);
      await assert.rejects(describeBundle(dir), (e: unknown) => e instanceof CircuitCheckError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
