/**
 * The lean settlement (gas per settled request): each node's ballots are 2-bit fields of one word per 128 rounds, the
 * verifiers' pool of a settled request lives in its record's spent callback-budget field, and the hub nets the duty
 * moves of a call per node and role and sends them to the NodeRegistry once, at the call's end. Written as an
 * attacker would try the new shapes: a vote that counts in (or blocks) another round sharing its word, the pool paid
 * out as callback budget or refund, stake owed through a batch leaving before the batch's duties are counted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { decodeErrorResult, getAddress, keccak256, parseEventLogs } from "viem";

import {
  budgetOf,
  DEFAULT_OPTIONS,
  deployHub,
  GAS_PRICE,
  hashValues,
  INPUT,
  instancesHash,
  MIN_STAKE,
  OUTPUT,
  paymentOf,
  PROOF_STORE,
  proofFor,
  provenOutputs,
  Role,
  Status,
  type Attestation,
  UNBONDING_DELAY,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type F = Awaited<ReturnType<typeof fixture>>;

const ZERO = `0x${"00".repeat(32)}`;
const NO_CALLBACK = { ...DEFAULT_OPTIONS, resultCallback: false };
const CHUNK = 50;

/** `n` ZKML_ATTESTED requests from the user's account (requestInferences, in chunks), delivered and committed by
 * the assigned nodes (one submitResults / commitProofs per node and chunk). Returns their "valid" attestations. */
async function attestedRounds(f: F, n: number): Promise<Attestation[]> {
  const first = (await f.hub.read.requestCount()) + 1n;
  for (let done = 0; done < n; done += CHUNK) {
    const k = Math.min(CHUNK, n - done);
    await f.hub.write.requestInferences(
      [Array(k).fill(f.models.attested), Array(k).fill(INPUT), Array(k).fill(NO_CALLBACK), Array(k).fill(paymentOf(NO_CALLBACK))],
      { value: paymentOf(NO_CALLBACK) * BigInt(k), account: f.wallets.user.account, gasPrice: GAS_PRICE },
    );
  }
  const ids = Array.from({ length: n }, (_, i) => first + BigInt(i));
  const byNode = async (who: (id: bigint) => Promise<string>) => {
    const groups = new Map<string, bigint[]>();
    for (const id of ids) {
      const node = getAddress(await who(id));
      groups.set(node, [...(groups.get(node) ?? []), id]);
    }
    return groups;
  };
  for (const [node, group] of await byNode(async (id) => (await f.hub.read.getRequest([id])).executor)) {
    for (let i = 0; i < group.length; i += CHUNK) {
      const chunk = group.slice(i, i + CHUNK);
      await f.hub.write.submitResults([chunk, chunk.map(() => OUTPUT)], { account: f.walletOf(node as `0x${string}`).account });
    }
  }
  const proof = proofFor(INPUT, OUTPUT);
  for (const [node, group] of await byNode((id) => f.hub.read.assignedProver([id]))) {
    for (let i = 0; i < group.length; i += CHUNK) {
      const chunk = group.slice(i, i + CHUNK);
      await f.hub.write.commitProofs([chunk, chunk.map(() => INPUT), chunk.map(() => OUTPUT), chunk.map(() => keccak256(proof)), PROOF_STORE], {
        account: f.walletOf(node as `0x${string}`).account,
      });
    }
  }
  for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.ProofSubmitted);
  return ids.map((requestId) => ({ requestId, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true }));
}

async function roundOf(f: F, a: Attestation) {
  const key = await f.quorum.read.roundKey([a.requestId, a.proofHash, a.instancesHash]);
  return { key, ...(await f.quorum.read.roundOf([key])) };
}

/** The reasons the quorum gave for the votes it refused in `tx`, decoded with the hub's errors. */
async function refusals(f: F, tx: `0x${string}`) {
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash: tx });
  return parseEventLogs({ abi: f.quorum.abi, logs: receipt.logs, eventName: "AttestationRejected" }).map(
    (e) => decodeErrorResult({ abi: f.hub.abi, data: e.args.reason }).errorName,
  );
}

describe("lean settlement: ballots, the verifiers' pool, netted duties", () => {
  it("adversarial: a vote never counts in, nor blocks, another round of the same ballot word (rounds 128 apart, neighbours)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const as = await attestedRounds(f, 130);
    // rounds are numbered in opening order (the provers commit their own requests): pick them by number
    const rounds = await Promise.all(as.map(async (x) => ({ x, r: await roundOf(f, x) })));
    const bySeq = (seq: bigint) => rounds.find((e) => e.r.seq === seq)!;
    const [ea, enext, efar] = [bySeq(1n), bySeq(2n), bySeq(129n)];
    const [a, next, far] = [ea.x, enext.x, efar.x];
    const [ra, rnext, rfar] = [ea.r, enext.r, efar.r];
    assert.equal(rfar.seq - ra.seq, 128n, "the two rounds are 128 apart: same bit position, next word");
    assert.equal(rnext.seq - ra.seq, 1n);

    // ver1: valid on `a`, invalid on its neighbour; nothing on `far`
    await f.attestBatch(f.wallets.ver1, [a, { ...next, valid: false }]);
    assert.deepEqual(await f.quorum.read.attestationOf([ra.key, f.wallets.ver1.account.address]), [1, MIN_STAKE]);
    assert.deepEqual(await f.quorum.read.attestationOf([rnext.key, f.wallets.ver1.account.address]), [2, MIN_STAKE]);
    assert.deepEqual(await f.quorum.read.attestationOf([rfar.key, f.wallets.ver1.account.address]), [0, 0n]);
    assert.deepEqual(await f.quorum.read.tally([far.requestId, far.proofHash, far.instancesHash]), [0n, 0n]);

    // its vote on `far` is a first vote there, not a duplicate of the one on `a`
    const farVote = await f.attestBatch(f.wallets.ver1, [far]);
    assert.deepEqual(await refusals(f, farVote.tx), []);
    assert.deepEqual(await f.quorum.read.tally([far.requestId, far.proofHash, far.instancesHash]), [MIN_STAKE, 0n]);
    // and a second vote on any of them is refused, alone or in a batch, whatever its verdict
    const again = await f.attestBatch(f.wallets.ver1, [{ ...a, valid: false }, next, { ...far, valid: false }]);
    assert.deepEqual(await refusals(f, again.tx), Array(3).fill("InferenceHubDuplicateAttestation"));
    assert.deepEqual(await f.quorum.read.tally([a.requestId, a.proofHash, a.instancesHash]), [MIN_STAKE, 0n]);
    assert.deepEqual(await f.quorum.read.tally([next.requestId, next.proofHash, next.instancesHash]), [0n, MIN_STAKE]);

    // ver2 decides `a` and `far` (with ver3 `next`); ver1 is paid on each, once, and nothing on the round it voted invalid on
    await f.attestBatch(f.wallets.ver2, [a, next, far]);
    await f.attestBatch(f.wallets.ver3, [next]);
    const ids = [a.requestId, next.requestId, far.requestId];
    await f.hub.write.settleMany([ids, await provenOutputs(f.hub, ids)]);
    await networkHelpers.time.increaseTo((await f.hub.read.getRequest([far.requestId])).verifyDeadline + 1n);
    const claim = (id: bigint) => f.hub.write.claimVerifierReward([id], { account: f.wallets.ver1.account });
    await claim(a.requestId);
    assert.equal(await f.quorum.read.rewardClaimed([a.requestId, f.wallets.ver1.account.address]), true);
    assert.equal(await f.quorum.read.rewardClaimed([far.requestId, f.wallets.ver1.account.address]), false);
    await claim(far.requestId);
    await viem.assertions.revertWithCustomError(claim(a.requestId), f.hub, "InferenceHubNothingToClaim");
    await viem.assertions.revertWithCustomError(claim(next.requestId), f.hub, "InferenceHubNothingToClaim");
    await f.assertBooksBalance();
  });

  it("adversarial: the pool kept in a settled record is paid only to its valid voters, never as callback budget or refund", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const id = await f.request(f.models.attested); // TestOnlyConsumer, both callbacks
    await f.deliver(id);
    const proof = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, proof);
    const a = { requestId: id, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true };
    await f.attest(a, [f.wallets.ver1, f.wallets.ver2]);
    await f.attest({ ...a, valid: false }, [f.wallets.ver3]);
    const settler = f.wallets.outsider;
    await f.hub.write.settle([id, OUTPUT], { account: settler.account });

    // the settler is paid the onSettled half of the budget, not the pool that now sits in the same field
    assert.equal(await f.hub.read.releasable([settler.account.address]), budgetOf() - budgetOf() / 2n);
    const [settled] = await f.hub.getEvents.RequestSettled({ requestId: id }, { fromBlock: 0n, strict: true });
    const pool = settled.args.verifierReward!;
    assert.ok(pool > 0n);
    const view = await f.hub.read.getRequest([id]);
    assert.equal(view.callbackBudget, 0n, "a settled request has no budget left to spend or refund");
    // a settled request cannot be refunded (the pool is not the consumer's), nor settled again
    await networkHelpers.time.increaseTo(view.verifyDeadline + 1n);
    await viem.assertions.revertWithCustomError(f.hub.write.refundExpired([id]), f.hub, "InferenceHubUnexpectedStatus");
    await viem.assertions.revertWithCustomError(f.hub.write.settle([id, OUTPUT]), f.hub, "InferenceHubUnexpectedStatus");

    // the valid voters share exactly the pool; the invalid voter and outsiders get nothing
    for (const w of [f.wallets.ver3, f.wallets.user, settler]) {
      await viem.assertions.revertWithCustomError(f.hub.write.claimVerifierReward([id], { account: w.account }), f.hub, "InferenceHubNothingToClaim");
    }
    await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver2.account });
    await f.hub.write.claimVerifierReward([id], { account: f.wallets.ver1.account });
    const paid = (await f.hub.getEvents.VerifierRewardClaimed({ requestId: id }, { fromBlock: 0n, strict: true })).map((e) => e.args.amount!);
    assert.equal(paid[0] + paid[1], pool, "the last claimant takes the exact remainder");
    await viem.assertions.revertWithCustomError(f.hub.write.claimVerifierReward([id], { account: f.wallets.ver1.account }), f.hub, "InferenceHubNothingToClaim");
    assert.equal((await f.hub.read.getRequest([id])).callbackBudget, 0n);
    await f.assertBooksBalance();
  });

  it("adversarial: duties assigned in a batch are counted when it ends (the stake cannot leave), released once at settlement", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    // both executors and provers unbond part of their stake and wait the delay: their buckets are mature
    for (const [w, role] of [[f.wallets.exec1, Role.Executor], [f.wallets.exec2, Role.Executor], [f.wallets.prover1, Role.Prover], [f.wallets.prover2, Role.Prover]] as const) {
      await f.nodeRegistry.write.increaseStake([role], { value: MIN_STAKE, account: w.account });
      await f.nodeRegistry.write.beginUnbonding([role, MIN_STAKE], { account: w.account });
    }
    await networkHelpers.time.increase(UNBONDING_DELAY + 1n);
    const duties = async (role: number) =>
      Promise.all([f.wallets.exec1, f.wallets.exec2, f.wallets.prover1, f.wallets.prover2].map((w) => f.nodeRegistry.read.dutiesOf([w.account.address, role])));
    const sum = (xs: bigint[]) => xs.reduce((s, x) => s + x, 0n);

    const as = await attestedRounds(f, 6);
    const ids = as.map((a) => a.requestId);
    assert.equal(sum(await duties(Role.Executor)), 6n, "every executor duty of the batch is on the books");
    assert.equal(sum(await duties(Role.Prover)), 6n, "every prover duty of the batch is on the books");
    // every node that owes one of them cannot withdraw its mature bucket
    for (const id of ids) {
      const r = await f.hub.read.getRequest([id]);
      for (const [node, role] of [[r.executor, Role.Executor], [r.provedBy, Role.Prover]] as const) {
        await viem.assertions.revertWithCustomError(
          f.nodeRegistry.write.withdrawUnbonded([role], { account: f.walletOf(node).account }),
          f.nodeRegistry,
          "NodeRegistryDutiesOpen",
        );
      }
    }

    // settle 5 of 6 in one settleMany (the sixth is still pending: its item is rejected and moves no duty)
    await f.attestBatch(f.wallets.ver1, as);
    await f.attestBatch(f.wallets.ver2, as.slice(0, 5));
    const tx = await f.hub.write.settleMany([ids, await provenOutputs(f.hub, ids)]);
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash: tx });
    const changes = parseEventLogs({ abi: f.nodeRegistry.abi, logs: receipt.logs, eventName: "DutiesChanged" });
    const keys = changes.map((e) => `${e.args.node}/${e.args.role}`);
    assert.equal(new Set(keys).size, keys.length, "one net change per node and role for the whole batch");
    assert.equal(sum(await duties(Role.Executor)), 1n);
    assert.equal(sum(await duties(Role.Prover)), 1n);
    const last = await f.hub.read.getRequest([ids[5]]);
    await viem.assertions.revertWithCustomError(
      f.nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: f.walletOf(last.executor).account }),
      f.nodeRegistry,
      "NodeRegistryDutiesOpen",
    );
    // a node whose duties all ended can leave
    const free = [f.wallets.exec1, f.wallets.exec2].find((w) => getAddress(w.account.address) !== getAddress(last.executor));
    if (free) await f.nodeRegistry.write.withdrawUnbonded([Role.Executor], { account: free.account });
    await f.assertBooksBalance();
  });

  it("adversarial: rounds share an electorate only within the second they open; a later round never inherits a stale pass mark", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const proof = proofFor(INPUT, OUTPUT);
    const attestationOf = (requestId: bigint): Attestation => ({ requestId, proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: true });
    // one prover left, so both commitments go in one commitProofs: one group (snapshot, deadline, electorate)
    await f.nodeRegistry.write.beginUnbonding([Role.Prover, MIN_STAKE], { account: f.wallets.prover1.account });
    const [a1, a2] = (await attestedRounds(f, 2)).map((a) => a.requestId);
    const [r1, r2] = [await roundOf(f, attestationOf(a1)), await roundOf(f, attestationOf(a2))];
    assert.equal(r2.seq, r1.seq + 1n);
    assert.deepEqual([r1.snapshot, r1.deadline, r1.electorate], [r2.snapshot, r2.deadline, r2.electorate]);
    assert.equal(r1.electorate, 3n * MIN_STAKE);

    // a whale joins after that snapshot; a round opened later weighs it in its own electorate
    const whale = f.wallets.outsider;
    await f.nodeRegistry.write.register([Role.Verifier], { value: 10n * MIN_STAKE, account: whale.account });
    await networkHelpers.time.increase(2);
    const [b] = (await attestedRounds(f, 1)).map((a) => a.requestId);
    const rb = await roundOf(f, attestationOf(b));
    assert.ok(rb.snapshot > r1.snapshot);
    assert.equal(rb.electorate, 13n * MIN_STAKE, "the later round's own electorate, not the earlier group's");

    // the whale cannot weigh in the earlier rounds
    const late = await f.attestBatch(whale, [attestationOf(a1)]);
    assert.deepEqual(await refusals(f, late.tx), ["InferenceHubNotInElectorate"]);
    // two of the old nodes (2 ether) would pass the stale mark (2/3 of 3 ether), not the round's own (2/3 of 13)
    await f.attestBatch(f.wallets.ver1, [attestationOf(b)]);
    await f.attestBatch(f.wallets.ver2, [attestationOf(b)]);
    await viem.assertions.revertWithCustomError(f.hub.write.settle([b, OUTPUT]), f.hub, "InferenceHubQuorumPending");
    await f.attestBatch(whale, [attestationOf(b)]);
    await f.hub.write.settle([b, OUTPUT]);
    assert.equal(await f.hub.read.status([b]), Status.Settled);
    await f.assertBooksBalance();
  });

  it("adversarial: a rejected proof's contradicting output does not linger: the next proof that confirms the result settles it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const OTHER = [1n, 2n, 3n];
    const id = await f.request(f.models.attested);
    const executor = await f.deliver(id);
    // a prover commits a proof of another output; the quorum rejects it
    const bad = proofFor(INPUT, OTHER);
    const prover = await f.proverOf(id);
    await f.hub.write.commitProof([id, INPUT, OTHER, keccak256(bad), PROOF_STORE], { account: prover.account });
    assert.equal((await f.hub.read.getRequest([id])).provenOutputHash, hashValues(OTHER));
    await f.attest({ requestId: id, proofHash: keccak256(bad), instancesHash: instancesHash(INPUT, OTHER), valid: false }, [f.wallets.ver1, f.wallets.ver2]);
    await f.hub.write.settle([id, OTHER]);
    assert.equal(await f.hub.read.status([id]), Status.Executed, "rejected, open for another proof");
    assert.equal((await f.hub.read.getRequest([id])).provenOutputHash, ZERO, "nothing of the rejected proof is left");

    // the next proof confirms the result: it settles with the result, never with the rejected proof's output
    const good = proofFor(INPUT, OUTPUT);
    await f.prove(id, OUTPUT, good);
    await f.attest({ requestId: id, proofHash: keccak256(good), instancesHash: instancesHash(INPUT, OUTPUT), valid: true }, [f.wallets.ver1, f.wallets.ver2]);
    await viem.assertions.revertWithCustomError(f.hub.write.settle([id, OTHER]), f.hub, "InferenceHubSettleOutputMismatch");
    await f.hub.write.settle([id, OUTPUT]);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    assert.deepEqual(await f.consumer.read.settledOutput([id]), OUTPUT);
    assert.equal(await f.nodeRegistry.read.stakeOf([executor.account.address, Role.Executor]), MIN_STAKE, "the executor was right");
    await f.assertBooksBalance();
  });
});
