/**
 * The prover's grouping of batch-version requests (workers/prover/proofBatches.ts): by size, by wait, per version,
 * bounded; and the hub's layout of a batch (ascending ids, zero padding, instances split per slot). The batch's
 * proving and submission (createBatchProver) is the engine and the hub's submitBatchProof, exercised by
 * bench/gas.ts and test/contracts/hub.batch-proof.test.ts; here a recording function stands in for it, to see
 * which requests go together.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "viem";

import { toField } from "../../protocol/instances.js";
import { VerificationMode } from "../../protocol/enums.js";
import { BatcherFullError } from "../../workers/shared/batcher.js";
import type { ProofModel } from "../../workers/proofs/models.js";
import { batchLayout, callbackGasGroups, ProofBatches, provenOutputs, type BatchSlot, type ProveBatch } from "../../workers/prover/proofBatches.js";

const HUB = "0x00000000000000000000000000000000000000a1" as Address;
const model = (modelId: bigint, batch: number): ProofModel & { batch: number } => ({
  modelId,
  onnxHash: "0x00",
  settingsHash: "0x00",
  circuitHash: "0x00",
  vkHash: "0x00",
  manifestHash: "0x00",
  inputLength: 2,
  outputLength: 1,
  inputScale: 7,
  outputScale: 7,
  mode: VerificationMode.ZKML_ONCHAIN,
  verifier: HUB,
  tolerance: 0n,
  batch,
});
const slot = (requestId: bigint, callbackGas = 100_000): BatchSlot => ({ hub: HUB, requestId, input: [requestId, -requestId], callbackGas });

/** A prove function that records each batch and answers each slot with its own request id as output. */
function recorder() {
  const batches: bigint[][] = [];
  const prove: ProveBatch = async (_m, slots) => {
    batches.push(slots.map((s) => s.requestId));
    return slots.map((s) => ({ proofHash: "0x01", proven: [s.requestId], txHash: "0x02", gasUsed: "1", requests: slots.length, proveMs: 0 }));
  };
  return { batches, prove };
}

describe("ProofBatches (the prover's batch grouping)", () => {
  it("proves N waiting requests of a version together, at once, each getting its own output", async () => {
    const r = recorder();
    const b = new ProofBatches({ waitMs: 60_000, maxWaiting: 100 }, r.prove);
    const m = model(1n, 4);
    const outs = await Promise.all([5n, 3n, 9n, 7n].map((id) => b.submit(m, slot(id))));
    assert.deepEqual(r.batches, [[5n, 3n, 9n, 7n]]);
    assert.deepEqual(outs.map((o) => o.proven), [[5n], [3n], [9n], [7n]]);
  });

  it("sends a partial batch after the wait, and keeps versions apart", async () => {
    const r = recorder();
    const b = new ProofBatches({ waitMs: 30, maxWaiting: 100 }, r.prove);
    const [m1, m2] = [model(1n, 4), model(2n, 4)];
    await Promise.all([b.submit(m1, slot(1n)), b.submit(m2, slot(2n)), b.submit(m1, slot(3n))]);
    assert.deepEqual(r.batches.sort((x, y) => x.length - y.length), [[2n], [1n, 3n]]);
  });

  it("bounds the requests waiting per version (back-pressure)", async () => {
    const r = recorder();
    const b = new ProofBatches({ waitMs: 20, maxWaiting: 2 }, r.prove);
    const m = model(1n, 4);
    const held = [b.submit(m, slot(1n)), b.submit(m, slot(2n))];
    await assert.rejects(b.submit(m, slot(3n)), BatcherFullError);
    await Promise.all(held);
    assert.deepEqual(r.batches, [[1n, 2n]]);
  });

  it("a failed batch fails each of its requests (their jobs retry)", async () => {
    const b = new ProofBatches({ waitMs: 10, maxWaiting: 10 }, async () => {
      throw new Error("submitBatchProof reverted");
    });
    const m = model(1n, 4);
    const results = await Promise.allSettled([b.submit(m, slot(1n)), b.submit(m, slot(2n))]);
    assert.deepEqual(results.map((x) => x.status), ["rejected", "rejected"]);
  });
});

describe("the hub's layout of a batch proof", () => {
  it("orders requests by id, pads with zeros, and reads each slot's output from the instances", () => {
    const m = model(1n, 4);
    const { ordered, floats } = batchLayout(m, [slot(9n), slot(3n)]);
    assert.deepEqual(ordered.map((s) => s.requestId), [3n, 9n]);
    assert.deepEqual(floats, [3 / 128, -3 / 128, 9 / 128, -9 / 128, 0, 0, 0, 0]);
    // every slot's input, then every slot's output
    const instances = [3n, -3n, 9n, -9n, 0n, 0n, 0n, 0n, 30n, -90n, 5n, 5n].map((v, i) => toField(v, i));
    assert.deepEqual(provenOutputs(m, ordered, instances), [[30n], [-90n], [5n], [5n]]);
    // a proof of other inputs, or of a non-zero padding, is refused before it reaches the hub
    const swapped = [9n, -9n, 3n, -3n, 0n, 0n, 0n, 0n, 30n, -90n, 5n, 5n].map((v, i) => toField(v, i));
    assert.throws(() => provenOutputs(m, ordered, swapped), /not slot 0's input/);
    const padded = [3n, -3n, 9n, -9n, 1n, 0n, 0n, 0n, 30n, -90n, 5n, 5n].map((v, i) => toField(v, i));
    assert.throws(() => provenOutputs(m, ordered, padded), /not slot 2's input/);
    assert.throws(() => batchLayout(m, [slot(1n), slot(1n)]), /twice/);
    assert.throws(() => batchLayout(m, [1n, 2n, 3n, 4n, 5n].map(slot)), /5 requests for a version of 4 slots/);
  });

  it("splits a batch whose consumers' callback gas would exceed the budget (each group its own proof)", () => {
    const ids = (groups: BatchSlot[][]) => groups.map((g) => g.map((s) => s.requestId));
    const slots = [slot(1n, 4_000_000), slot(2n, 4_000_000), slot(3n, 9_000_000), slot(4n, 20_000_000), slot(5n, 100_000)];
    assert.deepEqual(ids(callbackGasGroups(slots, 15_000_000)), [[1n, 2n], [3n], [4n], [5n]]);
    assert.deepEqual(ids(callbackGasGroups(slots.slice(0, 2), 15_000_000)), [[1n, 2n]]);
  });
});
