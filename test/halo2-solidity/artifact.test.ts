// The verifying-artifact encoder and chunk planner, off chain: header fields, refusals, chunking, data-contract code.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeArtifact, ArtifactError, ARTIFACT_VERSION, H, HEADER_WORDS, MAX_CHUNK_PAYLOAD, OP } from "../../halo2/solidity/artifact.js";
import { dataContractInitcode, dataContractRuntime, generateVerifierArtifacts, planArtifactChunks } from "../../halo2/solidity/generate.js";
import { inv, parseHex } from "../../halo2/field.js";
import { loadVector, SKIP_SHARED } from "../../testkit/halo2/vectors.js";
import { loadModelCase, SKIP_MODELS } from "../../testkit/halo2/corpus.js";

const word = (b: Uint8Array, i: number) => BigInt("0x" + Buffer.from(b.subarray(32 * i, 32 * i + 32)).toString("hex"));

async function someCase() {
  if (!SKIP_MODELS) return loadModelCase("iris-mlp");
  const v = loadVector("fixture");
  return { desc: v.desc, srs: v.srs };
}

describe("verifying artifact encoder", { skip: SKIP_MODELS && SKIP_SHARED ? "no demo bundles and no shared vectors" : false }, () => {
  it("writes the header from the description", async () => {
    const { desc, srs } = await someCase();
    const { payload, stats } = encodeArtifact(desc, srs);
    assert.equal(word(payload, H.version), ARTIFACT_VERSION);
    assert.equal(word(payload, H.digest), parseHex(desc.vkDigest));
    assert.equal(word(payload, H.k), BigInt(desc.k));
    assert.equal(word(payload, H.omega), parseHex(desc.omega));
    assert.equal(word(payload, H.nInv), inv(BigInt(desc.n)));
    assert.equal(word(payload, H.numInstances), BigInt(desc.instanceCounts![0]));
    assert.equal(word(payload, H.proofLength), BigInt(desc.derived.proofLength));
    assert.equal(word(payload, H.totalLength), BigInt(payload.length));
    assert.equal(word(payload, H.numExtraChunks), 0n);
    desc.derived.challenges.forEach((c, i) => assert.equal(word(payload, H.challenges + i), BigInt(c.afterProofBytes)));
    assert.equal(word(payload, H.vkPointsOffset), BigInt(32 * HEADER_WORDS));
    assert.equal(word(payload, H.numVkPoints), BigInt(desc.fixedCommitments.length + desc.permutationCommitments.length));
    const prog = Number(word(payload, H.programOffset));
    assert.equal(payload[prog + stats.programBytes - 1], OP.END);
    // one EMIT per gate, 2 + (chunks - 1) + chunks permutation constraints, 3 per lookup
    const C = desc.derived.permutationChunks;
    assert.equal(stats.constraints, desc.cs.gates.length + (C > 0 ? 2 + (C - 1) + C : 0) + 3 * desc.cs.lookups.length);
    assert.deepEqual(encodeArtifact(desc, srs).payload, payload, "deterministic");
  });

  it("refuses circuits it cannot verify, naming the reason", async () => {
    const { desc, srs } = await someCase();
    assert.throws(() => encodeArtifact({ ...desc, instanceCounts: null }, srs), (e: Error) => e instanceof ArtifactError && /instance count/.test(e.message));
    assert.throws(() => encodeArtifact({ ...desc, cs: { ...desc.cs, numInstanceColumns: 2 } }, srs), /one instance column/);
    assert.throws(() => encodeArtifact({ ...desc, cs: { ...desc.cs, numChallenges: 1 } }, srs), /multi-phase/);
    assert.throws(() => encodeArtifact({ ...desc, cs: { ...desc.cs, gates: [{ t: "challenge", index: 0, phase: 0 }] } }, srs), /unsupported expression/);
  });

  it("splits large payloads into chunks whose concatenation is the payload, each within EIP-170", async () => {
    const { desc, srs } = await someCase();
    const plan = planArtifactChunks(desc, srs, 32 * 64); // the smallest chunk allowed: several chunks even for a small circuit
    const extra = plan.extraChunkPayloads.length;
    assert.ok(extra >= 2);
    const addrs = Array.from({ length: extra }, (_, i) => "0x" + (i + 1).toString(16).padStart(40, "0"));
    const first = plan.firstChunkPayload(addrs);
    const full = encodeArtifact(desc, srs, addrs).payload;
    assert.deepEqual(Uint8Array.from([...first, ...plan.extraChunkPayloads.flatMap((c) => [...c])]), full);
    addrs.forEach((a, i) => assert.equal(word(full, HEADER_WORDS + i), BigInt(a)));
    assert.throws(() => plan.firstChunkPayload([]), /continuation chunk/);
    assert.throws(() => planArtifactChunks(desc, srs, 100), /out of range/);
    const single = generateVerifierArtifacts(desc, srs);
    assert.equal(single.chunks.extraChunkPayloads.length, Math.max(0, Math.ceil(single.payload.length / MAX_CHUNK_PAYLOAD) - 1));
  });

  it("builds data-contract code: STOP ‖ payload, refusing more than 24,576 bytes", () => {
    const payload = Uint8Array.from([1, 2, 3]);
    assert.equal(dataContractRuntime(payload), "0x00010203");
    // PUSH2 0x0004, DUP1, PUSH1 0x0c, PUSH1 0, CODECOPY, PUSH1 0, RETURN ‖ STOP ‖ payload
    assert.equal(dataContractInitcode(payload), "0x610004" + "80" + "600c" + "6000" + "39" + "6000" + "f3" + "00" + "010203");
    assert.doesNotThrow(() => dataContractInitcode(new Uint8Array(MAX_CHUNK_PAYLOAD)));
    assert.throws(() => dataContractInitcode(new Uint8Array(MAX_CHUNK_PAYLOAD + 1)), /exceeds/);
  });
});
