/**
 * The protocol's invariants under an adversarial actor (fast-check). Honest nodes do their duty promptly: before
 * time moves on, the honest executor delivers the true output, the honest prover proves what is assigned to it, the
 * honest verification nodes vote (valid only on a proof of the true output) and anyone honest settles or refunds
 * what is due. The adversary controls the consumer, an executor key, a prover key, a verification node and a spare
 * key, and does anything in any order: inputs out of the domain, wrong results, junk proofs (also at the deadline
 * second), silence, votes for anything, unbonding during votes, moving stake to new keys and roles, big time jumps.
 *
 * After every sequence:
 *  - no honest node was ever slashed (its stake never decreases);
 *  - every settled ZKML_ATTESTED request had, before it settled, "valid" votes worth at least quorumBps of its
 *    electorate (the verifier stake counted at its round's snapshot), for the output that settled;
 *  - no wei was created or lost (hub books and registry balance, recomputed from state and events).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { network } from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, type Hex } from "viem";

import { deployHub, DOMAIN, GAS_PRICE, hashValues, INPUT, instancesHash, MIN_STAKE, OUTPUT, paymentOf, PROOF_STORE, proofFor, Role, Status, provenOutput, provenOutputs } from "./helpers/hub.js";
import { proofKey } from "../../protocol/attestation.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;
const SEED = 20261207;
const WRONG = [9n, 9n, 9n];
const GARBAGE = "0xbad0" as Hex; // not a proof of anything: fails every verifier

type Action =
  | { kind: "request"; model: 0 | 1 | 2; outOfDomain: boolean; resultCallback: boolean }
  // requestInferences: items with the same terms share a head (one executor for them)
  | { kind: "batchRequest"; items: { model: 0 | 1 | 2; resultCallback: boolean }[] }
  | { kind: "attackerDeliver"; pick: number }
  | { kind: "attackerProve"; pick: number; atDeadline: boolean }
  | { kind: "attackerVote"; pick: number; valid: boolean }
  | { kind: "attackerUnbond"; who: 0 | 1 | 2 | 3; role: 0 | 1 | 2; amount: 1 | 2 }
  | { kind: "attackerWithdraw"; who: 0 | 1 | 2 | 3; role: 0 | 1 | 2 }
  | { kind: "attackerRegister"; who: 0 | 1 | 2 | 3; role: 0 | 1 | 2 }
  | { kind: "attackerChallenge"; pick: number }
  | { kind: "wait"; seconds: number }
  | { kind: "close"; pick: number }
  | { kind: "claim"; pick: number; verifier: 0 | 1 | 2 };

const pick = fc.nat({ max: 40 });
const who = fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const);
const role = fc.constantFrom(0 as const, 1 as const, 2 as const);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("request" as const),
      model: fc.constantFrom(0 as const, 1 as const, 1 as const, 2 as const),
      outOfDomain: fc.boolean(),
      resultCallback: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batchRequest" as const),
      items: fc.array(fc.record({ model: fc.constantFrom(0 as const, 1 as const, 1 as const, 2 as const), resultCallback: fc.boolean() }), {
        minLength: 2,
        maxLength: 5,
      }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("attackerDeliver" as const), pick }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("attackerProve" as const), pick, atDeadline: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("attackerVote" as const), pick, valid: fc.boolean() }) },
  fc.record({ kind: fc.constant("attackerUnbond" as const), who, role, amount: fc.constantFrom(1 as const, 2 as const) }),
  fc.record({ kind: fc.constant("attackerWithdraw" as const), who, role }),
  fc.record({ kind: fc.constant("attackerRegister" as const), who, role }),
  fc.record({ kind: fc.constant("attackerChallenge" as const), pick }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.constantFrom(5, 40, 400, 700, 4000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("close" as const), pick }) },
  fc.record({ kind: fc.constant("claim" as const), pick, verifier: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
);

const attempt = (p: Promise<unknown>) => p.then(() => true, () => false);

/** Honest nodes, doing every duty that is due now (and anyone honest closing what is due). */
async function honestStep(f: F, ids: bigint[], modeOf: Map<bigint, number>) {
  // a few passes: a result delivered in one pass can be proven in the next, a proof voted on, a vote settled
  for (let pass = 0; pass < 3; pass++) await honestPass(f, ids, modeOf);
}

async function honestPass(f: F, ids: bigint[], modeOf: Map<bigint, number>) {
  const { hub, quorum, wallets, publicClient } = f;
  const honestExecutor = wallets.exec1;
  const honestProver = wallets.prover1;
  const now = () => publicClient.getBlock().then((b) => b.timestamp);
  const due: bigint[] = [];
  for (const id of ids) {
    const r = await hub.read.getRequest([id]);
    if (r.status === Status.Requested) {
      // deliver the true output when assigned, or once the window is open to everyone: in one submitResults, as the
      // executor node batches (its results share prover draws; an item not its own yet is refused alone)
      due.push(id);
    } else if (r.status === Status.Executed && r.proofDeadline >= (await now())) {
      if (modeOf.get(id) === 2) {
        // OPTIMISTIC: a wrong result is challenged (commit, then the challenge in a later block)
        if (r.outputHash !== hashValues(OUTPUT)) {
          const proof = proofFor(INPUT, OUTPUT);
          const c = keccak256(
            encodeAbiParameters(
              [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
              [id, honestProver.account.address, hashValues(OUTPUT), keccak256(proof)],
            ),
          );
          if (await attempt(hub.write.commitChallenge([id, c], { account: honestProver.account }))) {
            await attempt(hub.write.challenge([id, INPUT, OUTPUT, proof], { account: honestProver.account }));
          }
        }
      } else if (getAddress(await hub.read.assignedProver([id])) === getAddress(honestProver.account.address)) {
        const proof = proofFor(INPUT, OUTPUT);
        const account = honestProver.account;
        if (modeOf.get(id) === 1) await attempt(hub.write.commitProof([id, INPUT, OUTPUT, keccak256(proof), PROOF_STORE], { account }));
        else await attempt(hub.write.submitProof([id, INPUT, OUTPUT, proof], { account }));
      }
    }
  }
  if (due.length > 0) await attempt(hub.write.submitResults([due, due.map(() => OUTPUT)], { account: honestExecutor.account }));
  // votes on every open round: valid only on a proof of the true output (a proof of anything else cannot verify)
  const t = await now();
  for (const p of await hub.getEvents.ProofSubmitted({}, { fromBlock: 0n, strict: true })) {
    if (p.args.proofStore === "") continue; // verified on chain, no round
    const round = await quorum.read.roundKey([p.args.requestId!, p.args.proofHash!, p.args.instancesHash!]);
    const info = await quorum.read.roundOf([round]);
    if (info.seq === 0n || BigInt(info.deadline) < t) continue;
    const truth = p.args.instancesHash === instancesHash(INPUT, OUTPUT) && p.args.proofHash === keccak256(proofFor(INPUT, OUTPUT));
    const a = { requestId: p.args.requestId!, proofHash: p.args.proofHash!, instancesHash: p.args.instancesHash!, valid: truth };
    for (const v of [wallets.ver1, wallets.ver2]) {
      const [verdict] = await quorum.read.attestationOf([round, v.account.address]);
      if (verdict === 0) await attempt(f.attest(a, [v]));
    }
  }
  // settle what is decided, refund what expired, settle unchallenged windows
  for (const id of ids) {
    const st = await hub.read.status([id]);
    if (st === Status.ProofSubmitted) await attempt(hub.write.settle([id, await provenOutput(hub, id)], { account: wallets.admin.account }));
    if (st === Status.Requested || st === Status.Executed || st === Status.ProofSubmitted) {
      await attempt(hub.write.refundExpired([id], { account: wallets.admin.account }));
      await attempt(hub.write.settleUnchallenged([id], { account: wallets.admin.account }));
    }
  }
}

describe("protocol invariants under an adversarial actor (fast-check)", () => {
  it("honest stake never decreases; nothing settles without its electorate's quorum; no wei is created or lost", async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 8, maxLength: 22 }), async (actions) => {
        const f = await networkHelpers.loadFixture(fixture);
        const { hub, quorum, nodeRegistry, wallets } = f;
        const attackerKeys = [wallets.exec2, wallets.prover2, wallets.ver3, wallets.outsider];
        const honest = [wallets.exec1, wallets.prover1, wallets.ver1, wallets.ver2].map((w) => getAddress(w.account.address));
        const modelIds = [f.models.onchain, f.models.attested, f.models.optimistic];
        const ids: bigint[] = [];
        const modeOf = new Map<bigint, number>(); // 0 ONCHAIN, 1 ATTESTED, 2 OPTIMISTIC
        const at = (n: number) => ids[n % ids.length];
        /** The hashes of the proof the hub holds for `id` (its latest ProofSubmitted, checked against proofKey). */
        const currentProof = async (id: bigint) => {
          const { proofKey: key } = await hub.read.getRequest([id]);
          const last = (await hub.getEvents.ProofSubmitted({ requestId: id }, { fromBlock: 0n, strict: true })).at(-1);
          const { proofHash, instancesHash: bound } = last?.args ?? {};
          if (!proofHash || !bound || proofKey(id, proofHash, bound) !== key) return null;
          return { proofHash, instancesHash: bound };
        };

        for (const a of actions) {
          if (a.kind === "request") {
            const input = a.outOfDomain ? [DOMAIN.upper[0] + 1n, 0n, 0n, 0n] : INPUT;
            const options = { callbackGasLimit: 0, resultCallback: a.resultCallback, resultTimeout: 60, proofTimeout: 900 };
            const id = (await hub.read.requestCount()) + 1n;
            const ok = await attempt(
              f.consumer.write.request([modelIds[a.model], input, options], { value: paymentOf(options), account: wallets.user.account, gasPrice: GAS_PRICE }),
            );
            assert.equal(ok, !a.outOfDomain, "out-of-domain inputs are refused, in-domain ones accepted");
            if (ok) {
              ids.push(id);
              modeOf.set(id, a.model);
            }
            continue;
          }
          if (a.kind === "batchRequest") {
            const options = a.items.map((i) => ({ callbackGasLimit: 0, resultCallback: i.resultCallback, resultTimeout: 60, proofTimeout: 900 }));
            const first = (await hub.read.requestCount()) + 1n;
            const payments = options.map((o) => paymentOf(o));
            const ok = await attempt(
              f.consumer.write.requestMany([a.items.map((i) => modelIds[i.model]), a.items.map(() => INPUT), options, payments], {
                value: payments.reduce((t, p) => t + p, 0n),
                account: wallets.user.account,
                gasPrice: GAS_PRICE,
              }),
            );
            assert.ok(ok, "an in-domain batch is accepted");
            a.items.forEach((i, k) => {
              ids.push(first + BigInt(k));
              modeOf.set(first + BigInt(k), i.model);
            });
            continue;
          }
          if (a.kind === "wait") {
            await honestStep(f, ids, modeOf);
            await networkHelpers.time.increase(a.seconds);
            continue;
          }
          if (a.kind === "attackerUnbond") {
            const stake = await nodeRegistry.read.stakeOf([attackerKeys[a.who].account.address, a.role]);
            await attempt(nodeRegistry.write.beginUnbonding([a.role, a.amount === 1 ? 1n : stake], { account: attackerKeys[a.who].account }));
            continue;
          }
          if (a.kind === "attackerWithdraw") {
            await attempt(nodeRegistry.write.withdrawUnbonded([a.role], { account: attackerKeys[a.who].account }));
            continue;
          }
          if (a.kind === "attackerRegister") {
            await attempt(nodeRegistry.write.register([a.role], { value: MIN_STAKE, account: attackerKeys[a.who].account }));
            continue;
          }
          if (ids.length === 0) continue;
          const id = at(a.pick);
          switch (a.kind) {
            case "attackerDeliver":
              for (const k of attackerKeys) await attempt(hub.write.submitResult([id, WRONG], { account: k.account }));
              break;
            case "attackerProve": {
              // the first request from `pick` on whose proof window belongs to an attacker key
              let target: bigint | undefined;
              for (let k = 0; k < ids.length && target === undefined; k++) {
                const candidate = at(a.pick + k);
                const assigned = getAddress(await hub.read.assignedProver([candidate]));
                if (attackerKeys.some((w) => getAddress(w.account.address) === assigned)) target = candidate;
              }
              if (target === undefined) break;
              const id = target;
              const r = await hub.read.getRequest([id]);
              if (a.atDeadline && r.proofDeadline > (await f.publicClient.getBlock()).timestamp) {
                await honestStep(f, ids, modeOf); // honest nodes act before time moves on
                await networkHelpers.time.setNextBlockTimestamp(r.proofDeadline);
              }
              // ONCHAIN: nothing but garbage can be sent for a wrong output; ATTESTED: a "proof" of the wrong output
              const junk = modeOf.get(id) === 0 ? GARBAGE : proofFor(INPUT, WRONG);
              for (const k of attackerKeys) {
                const sent = modeOf.get(id) === 0
                  ? hub.write.submitProof([id, INPUT, WRONG, junk], { account: k.account })
                  : hub.write.commitProof([id, INPUT, WRONG, keccak256(junk), PROOF_STORE], { account: k.account });
                if (await attempt(sent)) break;
              }
              break;
            }
            case "attackerVote": {
              const p = await currentProof(id);
              if (!p) break;
              for (const k of [wallets.ver3, wallets.outsider]) {
                await attempt(f.attest({ requestId: id, ...p, valid: a.valid }, [k]));
              }
              break;
            }
            case "attackerChallenge":
              // a challenge needs a valid proof of another output: the attacker has none
              await attempt(hub.write.challenge([id, INPUT, WRONG, GARBAGE], { account: wallets.challenger.account }));
              break;
            case "close":
              await attempt(hub.write.settle([id, await provenOutput(hub, id)]));
              await attempt(hub.write.refundExpired([id]));
              await attempt(hub.write.settleUnchallenged([id]));
              break;
            case "claim":
              await attempt(hub.write.claimVerifierReward([id], { account: [wallets.ver1, wallets.ver2, wallets.ver3][a.verifier].account }));
              break;
          }
        }
        // drain: time runs on, honest nodes keep doing their duty; every request must end settled or refunded
        for (let i = 0; i < 6; i++) {
          await honestStep(f, ids, modeOf);
          await networkHelpers.time.increase(700);
        }
        await honestStep(f, ids, modeOf);
        for (const id of ids) {
          const st = await hub.read.status([id]);
          assert.ok(st === Status.Settled || st === Status.Refunded, `request ${id} ended in status ${st}`);
        }

        // 1. honest nodes were never slashed
        const slashes = await nodeRegistry.getEvents.NodeSlashed({}, { fromBlock: 0n, strict: true });
        for (const s of slashes) assert.ok(!honest.includes(getAddress(s.args.node!)), `honest node ${s.args.node} slashed (${s.args.reason})`);
        for (const h of [wallets.exec1, wallets.prover1, wallets.ver1, wallets.ver2]) {
          const roleOf = h === wallets.exec1 ? Role.Executor : h === wallets.prover1 ? Role.Prover : Role.Verifier;
          assert.equal(await nodeRegistry.read.stakeOf([h.account.address, roleOf]), MIN_STAKE, "honest stake unchanged");
        }
        // 2. every settled ZKML_ATTESTED request had a quorum of its electorate for the output that settled
        const params = await hub.read.parameters();
        for (const settled of await hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true })) {
          const id = settled.args.requestId!;
          const r = await hub.read.getRequest([id]);
          const p = await currentProof(id);
          if (r.status !== Status.Settled || !p) continue;
          const round = r.proofKey;
          const info = await quorum.read.roundOf([round]);
          if (info.seq === 0n) continue; // ZKML_ONCHAIN or OPTIMISTIC: no round
          const electorate = await nodeRegistry.read.totalStakeAt([Role.Verifier, BigInt(info.snapshot)]);
          let valid = 0n;
          for (const v of await quorum.getEvents.AttestationRecorded({ round }, { fromBlock: 0n, strict: true })) {
            const before = v.blockNumber < settled.blockNumber || (v.blockNumber === settled.blockNumber && v.logIndex < settled.logIndex);
            if (v.args.valid && before) valid += await nodeRegistry.read.stakeAt([v.args.verifier!, Role.Verifier, BigInt(info.snapshot)]);
          }
          assert.ok(electorate > 0n && valid * 10_000n >= electorate * BigInt(params.quorumBps), `request ${id} settled with ${valid} of ${electorate}`);
          assert.equal(p.instancesHash, instancesHash(INPUT, await f.consumer.read.settledOutput([id])), "the quorum voted for the settled output");
          assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT, "the true output settled");
          seen.set("attestedSettled", (seen.get("attestedSettled") ?? 0) + 1);
        }
        // 3. no wei created or lost
        await f.assertBooksBalance();

        for (const id of ids) {
          const st = String(await hub.read.status([id]));
          seen.set(st, (seen.get(st) ?? 0) + 1);
        }
        if (slashes.length > 0) seen.set("slash", (seen.get("slash") ?? 0) + 1);
        if ((await hub.getEvents.ProofRejected({}, { fromBlock: 0n })).length > 0) seen.set("rejected", (seen.get("rejected") ?? 0) + 1);
      }),
      {
        numRuns: 20,
        seed: SEED,
        // hand-written sequences first: junk proofs (also at the deadline second) on attested requests, a silent
        // attacker verifier, stake moved to a new key during the votes, a wrong OPTIMISTIC result, a batch of requests.
        // The first sends 12 requests: their results share one prover draw (one 32-id bucket, one block), so it is the
        // second window, drawn per request, that hands the attacker's prover one of them (all 12 honest: 1 in 4,096)
        examples: [
          [
            [
              ...Array.from({ length: 12 }, () => ({ kind: "request" as const, model: 1 as const, outOfDomain: false, resultCallback: true })),
              { kind: "wait", seconds: 40 },
              { kind: "attackerProve", pick: 0, atDeadline: false },
              { kind: "attackerVote", pick: 0, valid: true },
              { kind: "attackerUnbond", who: 2, role: 2, amount: 2 },
              { kind: "attackerRegister", who: 3, role: 2 },
              { kind: "attackerProve", pick: 1, atDeadline: true },
              { kind: "wait", seconds: 5 },
              { kind: "attackerVote", pick: 1, valid: true },
              { kind: "wait", seconds: 700 },
              { kind: "attackerProve", pick: 2, atDeadline: false },
              { kind: "close", pick: 2 },
            ],
          ],
          [
            [
              { kind: "request", model: 2, outOfDomain: false, resultCallback: true },
              { kind: "request", model: 2, outOfDomain: true, resultCallback: true },
              { kind: "attackerDeliver", pick: 0 },
              { kind: "request", model: 0, outOfDomain: false, resultCallback: false },
              { kind: "wait", seconds: 40 },
              { kind: "attackerChallenge", pick: 0 },
              { kind: "attackerProve", pick: 1, atDeadline: true },
              { kind: "wait", seconds: 4000 },
              { kind: "close", pick: 0 },
              { kind: "claim", pick: 0, verifier: 2 },
            ],
          ],
          [
            [
              // a batch whose items share heads (and one executor), the attacker's executor delivering some of them
              // once the window opens, its prover proving junk, then everything closed
              {
                kind: "batchRequest",
                items: [
                  { model: 1, resultCallback: true },
                  { model: 1, resultCallback: true },
                  { model: 0, resultCallback: false },
                  { model: 0, resultCallback: false },
                  { model: 1, resultCallback: true },
                ],
              },
              { kind: "wait", seconds: 40 },
              { kind: "attackerDeliver", pick: 1 },
              { kind: "attackerProve", pick: 0, atDeadline: false },
              { kind: "attackerVote", pick: 0, valid: true },
              { kind: "wait", seconds: 700 },
              { kind: "close", pick: 0 },
              { kind: "close", pick: 4 },
              { kind: "claim", pick: 0, verifier: 1 },
            ],
          ],
        ],
      },
    );
    // The sequences must reach the interesting states, or the property says little.
    for (const st of [Status.Settled, Status.Refunded]) assert.ok(seen.get(String(st)), `reached status ${st}: ${[...seen]}`);
    assert.ok(seen.get("slash"), "some sequence slashed an attacker");
    assert.ok(seen.get("rejected"), "some junk proof was rejected");
    assert.ok(seen.get("attestedSettled"), "some ZKML_ATTESTED request settled (the quorum check is not vacuous)");
  });
});
