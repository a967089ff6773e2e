/**
 * Property-based tests (fast-check): the hub's libraries against TypeScript references, and random sequences of
 * protocol actions that must keep the books balanced (no wei created or lost).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { keccak256 } from "viem";

import { deployHub, FIELD_MODULUS, INPUT, instancesHash, instancesOf, OUTPUT, proofFor, Status, VALUE_BOUND } from "./helpers/hub.js";

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

type Action =
  | { kind: "request"; model: 0 | 1 | 2 }
  | { kind: "deliver"; pick: number; wrong: boolean }
  | { kind: "prove"; pick: number; bound: boolean }
  | { kind: "attest"; pick: number; verifier: 0 | 1 | 2; valid: boolean }
  | { kind: "challenge"; pick: number }
  | { kind: "wait"; seconds: number }
  | { kind: "close"; pick: number }
  | { kind: "withdraw"; who: number }
  | { kind: "claim"; pick: number; verifier: 0 | 1 | 2 };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("request" as const), model: fc.constantFrom(0 as const, 1 as const, 2 as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), wrong: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("prove" as const), pick: fc.nat(), bound: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("attest" as const), pick: fc.nat(), verifier: fc.constantFrom(0 as const, 1 as const, 2 as const), valid: fc.boolean() }) },
  fc.record({ kind: fc.constant("challenge" as const), pick: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.constantFrom(20, 400, 4000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("close" as const), pick: fc.nat() }) },
  fc.record({ kind: fc.constant("withdraw" as const), who: fc.nat() }),
  fc.record({ kind: fc.constant("claim" as const), pick: fc.nat(), verifier: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
);

describe("hub accounting under random action sequences (fast-check)", () => {
  it("hub balance == escrow + verifier pools + releasable, registry balance == stakes, after every sequence", async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 6, maxLength: 24 }), async (actions) => {
        const f = await networkHelpers.loadFixture(fixture);
        const { hub, wallets } = f;
        const verifiers = [wallets.ver1, wallets.ver2, wallets.ver3];
        const everyone = Object.values(wallets);
        const modelIds = [f.models.onchain, f.models.attested, f.models.optimistic];
        const ids: bigint[] = [];
        const pick = (n: number) => ids[n % ids.length];
        const WRONG = [1n, 1n, 1n];
        // Every action may legitimately fail (wrong state, too early, not assigned...): that is part of the
        // property. What must never happen is a state in which the books do not balance.
        const attempt = async (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
        for (const a of actions) {
          if (a.kind === "request") {
            ids.push((await hub.read.requestCount()) + 1n);
            await attempt(f.request(modelIds[a.model], { resultTimeout: 60, proofTimeout: 300 }));
            continue;
          }
          if (ids.length === 0 && a.kind !== "wait" && a.kind !== "withdraw") continue;
          switch (a.kind) {
            case "deliver":
              await attempt(f.deliver(pick(a.pick), a.wrong ? WRONG : OUTPUT));
              break;
            case "prove": {
              const out = a.bound ? OUTPUT : WRONG;
              await attempt(hub.write.submitProof([pick(a.pick), INPUT, OUTPUT, proofFor(INPUT, out)], { account: wallets.prover1.account }));
              break;
            }
            case "attest": {
              const id = pick(a.pick);
              const r = await hub.read.getRequest([id]);
              if (r.status !== Status.ProofSubmitted) break;
              const att = { requestId: id, proofHash: r.proofHash, instancesHash: r.instancesHash, valid: a.valid };
              await attempt(hub.write.submitAttestations([[att], [await f.sign(verifiers[a.verifier], att)]]));
              break;
            }
            case "challenge":
              await attempt(hub.write.challenge([pick(a.pick), INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: wallets.challenger.account }));
              break;
            case "wait":
              await networkHelpers.time.increase(a.seconds);
              break;
            case "close":
              await attempt(hub.write.refundExpired([pick(a.pick)]));
              await attempt(hub.write.settleUnchallenged([pick(a.pick)]));
              break;
            case "withdraw":
              await attempt(hub.write.withdraw({ account: everyone[a.who % everyone.length].account }));
              break;
            case "claim":
              await attempt(hub.write.claimVerifierReward([pick(a.pick)], { account: verifiers[a.verifier].account }));
              break;
          }
        }
        await f.assertBooksBalance();
        for (const id of ids) {
          const st = String(await hub.read.status([id]));
          seen.set(st, (seen.get(st) ?? 0) + 1);
        }
        const slashes = await hub.getEvents.SlashCredited({}, { fromBlock: 0n });
        if (slashes.length > 0) seen.set("slash", (seen.get("slash") ?? 0) + 1);
      }),
      { numRuns: 30, seed: SEED },
    );
    // The sequences must reach the interesting states, or the property says little.
    for (const st of [Status.Executed, Status.Settled, Status.Refunded]) assert.ok(seen.get(String(st)), `reached status ${st}: ${[...seen]}`);
    assert.ok(seen.get("slash"), "some sequence slashed a node");
  });

  it("instancesHash recorded for a proof equals the TS reference", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await f.request(f.models.attested);
    await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await f.hub.write.submitProof([id, INPUT, OUTPUT, proof], { account: f.wallets.prover1.account });
    const r = await f.hub.read.getRequest([id]);
    assert.equal(r.instancesHash, instancesHash(INPUT, OUTPUT));
    assert.equal(r.proofHash, keccak256(proof));
  });
});
