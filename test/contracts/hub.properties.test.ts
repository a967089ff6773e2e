/**
 * Property-based tests (fast-check) of the hub's libraries against TypeScript references. The protocol-level
 * invariants under an adversarial actor are in hub.invariants.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { keccak256 } from "viem";

import { deployHub, FIELD_MODULUS, INPUT, instancesHash, instancesOf, OUTPUT, proofFor, VALUE_BOUND } from "./helpers/hub.js";
import { proofKey } from "../../protocol/attestation.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
const SEED = 20261124;

const value = fc.bigInt({ min: -(VALUE_BOUND - 1n), max: VALUE_BOUND - 1n });
const smallValue = fc.bigInt({ min: -1000n, max: 1000n });

describe("hub libraries vs TypeScript references (fast-check)", () => {
  it("Instances.build == inputs ‖ outputs mapped to v >= 0 ? v : r - |v|; out-of-range values revert", async () => {
    const harness = await viem.deployContract("TestOnlyLibraryHarness");
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 6 }), fc.array(value, { maxLength: 4 }), async (input, output) => {
        const got = await harness.read.build([input, output]);
        assert.deepEqual(got, instancesOf(input, output));
        for (const x of got) assert.ok(x < FIELD_MODULUS);
      }),
      { numRuns: 60, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.bigInt({ min: VALUE_BOUND, max: 2n ** 255n - 1n }), fc.bigInt({ min: -(2n ** 255n), max: -VALUE_BOUND })),
        async (bad) => {
          await assert.rejects(harness.read.build([[0n, bad], []]), /InferenceHubValueOutOfRange/);
        },
      ),
      { numRuns: 15, seed: SEED },
    );
  });

  it("withinTolerance == max |a_i - b_i| <= tolerance; PackedOutputs round-trips", async () => {
    const harness = await viem.deployContract("TestOnlyLibraryHarness");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(smallValue, smallValue), { minLength: 1, maxLength: 5 }), fc.bigInt({ min: 0n, max: 2000n }), async (pairs, tol) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const maxDiff = pairs.reduce((m, [x, y]) => (x - y > m ? x - y : y - x > m ? y - x : m), 0n);
        assert.equal(await harness.read.withinTolerance([a, b, tol]), maxDiff <= tol);
      }),
      { numRuns: 40, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { maxLength: 7 }), async (values) => {
        const { result } = await harness.simulate.roundTrip([values]);
        assert.deepEqual(result, values);
      }),
      { numRuns: 40, seed: SEED },
    );
  });

  it("FeeSplit shares always add up to the fee", async () => {
    const harness = await viem.deployContract("TestOnlyLibraryHarness");
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.boolean(),
        fc.boolean(),
        async (fee, x, y, hasProver, hasVerifiers) => {
          const [lo, hi] = x < y ? [x, y] : [y, x];
          const s = await harness.read.split([fee, BigInt(lo), BigInt(hi - lo), BigInt(10000 - hi), hasProver, hasVerifiers]);
          assert.equal(s.executor + s.prover + s.verifiers + s.protocol, fee);
          if (!hasProver) assert.equal(s.prover, 0n);
          if (!hasVerifiers) assert.equal(s.verifiers, 0n);
        },
      ),
      { numRuns: 40, seed: SEED },
    );
  });
});

describe("proof binding", () => {
  it("instancesHash recorded for a proof equals the TS reference", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await f.request(f.models.attested);
    await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, proof);
    const r = await f.hub.read.getRequest([id]);
    assert.equal(r.proofKey, proofKey(id, keccak256(proof), instancesHash(INPUT, OUTPUT)));
  });
});
