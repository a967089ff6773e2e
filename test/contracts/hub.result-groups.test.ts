/**
 * The results of one submitResults batch share one prover draw (RequestLib.ResultHead): what that saves, and what it
 * must never change — who owes each proof, who is paid for it, who is slashed when it is missing or rejected.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { encodeErrorResult, getAddress, keccak256, stringToHex, type Hex } from "viem";

import {
  DEFAULT_OPTIONS,
  deployHub,
  GAS_PRICE,
  INPUT,
  instancesHash,
  modelSpec,
  Mode,
  OUTPUT,
  paymentOf,
  PRICE,
  PROOF_STORE,
  proofFor,
  provenOutput,
  Role,
  Status,
} from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();
const fixture = () => deployHub(viem);
type Fixture = Awaited<ReturnType<typeof fixture>>;
type Options = typeof DEFAULT_OPTIONS;

/** requestInferences from the user's account (no callbacks): one item per options entry, all of `model`. */
async function requestBatch(f: Fixture, model: bigint, items: Options[]): Promise<bigint[]> {
  const first = (await f.hub.read.requestCount()) + 1n;
  await f.hub.write.requestInferences(
    [items.map(() => model), items.map(() => INPUT), items, items.map((o) => paymentOf(o))],
    { value: items.reduce((t, o) => t + paymentOf(o), 0n), account: f.wallets.user.account, gasPrice: GAS_PRICE },
  );
  return items.map((_, i) => first + BigInt(i));
}

/** submitResults for `ids` from `executor` (default: the first one's assigned executor); returns the gas it used. */
async function deliverAll(f: Fixture, ids: bigint[], executor?: Fixture["wallets"]["exec1"]) {
  const from = executor ?? f.walletOf((await f.hub.read.getRequest([ids[0]])).executor);
  const hash = await f.hub.write.submitResults([ids, ids.map(() => OUTPUT)], { account: from.account });
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  return receipt.gasUsed;
}

/** Only exec1 stays an eligible executor, so every request is assigned to it (no result delivered by another node,
 * whose record would write the deliverer: the gas comparisons below compare groups only). */
async function onlyExec1(f: Fixture) {
  await f.nodeRegistry.write.beginUnbonding([Role.Executor, await f.nodeRegistry.read.stakeOf([f.wallets.exec2.account.address, Role.Executor])], {
    account: f.wallets.exec2.account,
  });
}

const provedBy = async (f: Fixture, ids: bigint[]) => (await f.hub.read.getRequests([ids])).map((r) => getAddress(r.provedBy));
const duties = (f: Fixture, who: Fixture["wallets"]["exec1"]) => f.nodeRegistry.read.dutiesOf([who.account.address, Role.Prover]);

/** The two provers: the one a group's draw picked (`drawn`) and the other. */
function provers(f: Fixture, drawn: string) {
  const { prover1, prover2 } = f.wallets;
  return getAddress(drawn) === getAddress(prover1.account.address) ? [prover1, prover2] : [prover2, prover1];
}

/** `n` requests of `model` with default options, their results delivered in one submitResults: the ids, their
 * group's proof deadline, the prover drawn for it and the other one. */
async function deliveredGroup(f: Fixture, model: bigint, n: number) {
  const ids = await requestBatch(f, model, Array.from({ length: n }, () => DEFAULT_OPTIONS));
  await deliverAll(f, ids);
  const { proofDeadline, provedBy: drawnBy } = await f.hub.read.getRequest([ids[0]]);
  const [drawn, other] = provers(f, drawnBy);
  return { ids, proofDeadline, drawn, other };
}

describe("the results of one submitResults batch share one prover draw", () => {
  it("every result of the group owes its proof to the one drawn prover, with one deadline; each settles on its own and pays that prover", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const ids = await requestBatch(f, f.models.onchain, [DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS]);
    await deliverAll(f, ids);
    const submitted = await f.hub.getEvents.ResultSubmitted({}, { fromBlock: 0n, strict: true });
    const [drawn, other] = provers(f, submitted[0].args.prover!);
    assert.deepEqual(submitted.map((e) => getAddress(e.args.prover!)), ids.map(() => getAddress(drawn.account.address)));
    assert.equal(new Set(submitted.map((e) => e.args.proofDeadline)).size, 1);
    assert.deepEqual(await provedBy(f, ids), ids.map(() => getAddress(drawn.account.address)));
    for (const id of ids) assert.equal(getAddress(await f.hub.read.assignedProver([id])), getAddress(drawn.account.address));
    assert.deepEqual([await duties(f, drawn), await duties(f, other)], [4n, 0n]);
    // the other prover cannot take any of them in the first window
    await viem.assertions.revertWithCustomError(
      f.hub.write.submitProof([ids[2], INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: other.account }),
      f.hub,
      "InferenceHubNotAssigned",
    );
    const before = await f.hub.read.releasable([drawn.account.address]);
    for (const id of ids) await f.hub.write.submitProof([id, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: drawn.account });
    const settled = await f.hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true });
    assert.equal(settled.length, 4);
    assert.equal((await f.hub.read.releasable([drawn.account.address])) - before, settled.reduce((t, e) => t + e.args.proverReward!, 0n));
    assert.deepEqual([await duties(f, drawn), await duties(f, other)], [0n, 0n]);
    await f.assertBooksBalance();
  });

  it("adversarial: a result proven in a later window by another prover is that prover's alone: it is paid for it, the drawn one for the rest", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { ids, proofDeadline, drawn, other } = await deliveredGroup(f, f.models.onchain, 3);
    const { proverWindow, defaultProofTimeout } = await f.hub.read.parameters();
    const executedAt = proofDeadline - BigInt(defaultProofTimeout);
    // later windows draw per result: find one where the other prover holds some result of the group
    let taken: bigint | undefined;
    for (let w = 1n; taken === undefined && executedAt + w * BigInt(proverWindow) < proofDeadline; w++) {
      await networkHelpers.time.increaseTo(executedAt + w * BigInt(proverWindow));
      for (const id of ids) {
        if (getAddress(await f.hub.read.assignedProver([id])) === getAddress(other.account.address)) {
          taken = id;
          break;
        }
      }
    }
    assert.ok(taken !== undefined, "no later window drew the other prover");
    await f.hub.write.submitProof([taken, INPUT, OUTPUT, proofFor(INPUT, OUTPUT)], { account: other.account });
    const rest = ids.filter((id) => id !== taken);
    assert.equal(getAddress((await f.hub.read.getRequest([taken])).provedBy), getAddress(other.account.address));
    assert.deepEqual(await provedBy(f, rest), rest.map(() => getAddress(drawn.account.address)), "the group's other results still owe the drawn prover");
    assert.deepEqual([await duties(f, drawn), await duties(f, other)], [2n, 0n]);
    // the rest, by whoever holds each now; every prover is paid exactly for the proofs it made
    for (const id of rest) await f.prove(id);
    const proofs = await f.hub.getEvents.ProofSubmitted({}, { fromBlock: 0n, strict: true });
    const settled = await f.hub.getEvents.RequestSettled({}, { fromBlock: 0n, strict: true });
    const rewardOf = new Map(settled.map((e) => [e.args.requestId!, e.args.proverReward!]));
    for (const p of [drawn, other]) {
      const earned = proofs
        .filter((e) => getAddress(e.args.prover!) === getAddress(p.account.address))
        .reduce((t, e) => t + rewardOf.get(e.args.requestId!)!, 0n);
      assert.equal(await f.hub.read.releasable([p.account.address]), earned);
    }
    assert.equal(getAddress(proofs.find((e) => e.args.requestId === taken)!.args.prover!), getAddress(other.account.address));
    await f.assertBooksBalance();
  });

  it("adversarial: a grouped result whose proof the quorum rejects leaves its group: its prover is slashed once for that, never again for it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { ids, proofDeadline, drawn, other } = await deliveredGroup(f, f.models.attested, 3);
    const proof = proofFor(INPUT, OUTPUT);
    await f.hub.write.commitProof([ids[0], INPUT, OUTPUT, keccak256(proof), PROOF_STORE], { account: drawn.account });
    const invalid = { requestId: ids[0], proofHash: keccak256(proof), instancesHash: instancesHash(INPUT, OUTPUT), valid: false };
    await f.attest(invalid, [f.wallets.ver1, f.wallets.ver2]);
    await f.hub.write.settle([ids[0], await provenOutput(f.hub, ids[0])]);
    assert.equal(await f.hub.read.status([ids[0]]), Status.Executed);
    const view = await f.hub.read.getRequest([ids[0]]);
    assert.equal(view.provedBy, "0x0000000000000000000000000000000000000000", "nobody owes the rejected result's proof until a new draw");
    assert.equal(view.proofDeadline, proofDeadline, "it keeps its group's proof deadline");
    assert.deepEqual(await provedBy(f, ids.slice(1)), ids.slice(1).map(() => getAddress(drawn.account.address)));
    assert.deepEqual([await duties(f, drawn), await duties(f, other)], [2n, 0n]);
    // nobody proves anything more: the drawn prover is slashed for each of the two it still owed, not for the rejected one
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    for (const id of ids) await f.hub.write.refundExpired([id]);
    const slashes = await f.hub.getEvents.SlashCredited({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(
      slashes.map((e) => [getAddress(e.args.node!), e.args.reason]),
      [
        [getAddress(drawn.account.address), stringToHex("PROOF_REJECTED", { size: 32 })],
        [getAddress(drawn.account.address), stringToHex("PROOF_TIMEOUT", { size: 32 })],
        [getAddress(drawn.account.address), stringToHex("PROOF_TIMEOUT", { size: 32 })],
      ],
    );
    assert.deepEqual([await duties(f, drawn), await duties(f, other)], [0n, 0n]);
    await f.assertBooksBalance();
  });

  it("adversarial: a group's prover that stays silent is slashed once per result it let expire, and no other prover is", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { ids, proofDeadline, drawn, other } = await deliveredGroup(f, f.models.attested, 2);
    const stake = await f.nodeRegistry.read.stakeOf([drawn.account.address, Role.Prover]);
    await networkHelpers.time.increaseTo(proofDeadline + 1n);
    for (const id of ids) await f.hub.write.refundExpired([id]);
    const slashes = await f.hub.getEvents.SlashCredited({}, { fromBlock: 0n, strict: true });
    assert.deepEqual(slashes.map((e) => getAddress(e.args.node!)), ids.map(() => getAddress(drawn.account.address)));
    assert.ok((await f.nodeRegistry.read.stakeOf([drawn.account.address, Role.Prover])) < stake);
    assert.equal(await f.nodeRegistry.read.stakeOf([other.account.address, Role.Prover]), stake);
    await f.assertBooksBalance();
  });

  it("a result with another proof deadline draws for itself; results that share one write a slot and a draw fewer", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const short = { ...DEFAULT_OPTIONS, proofTimeout: 120 };
    await onlyExec1(f);
    // warm the duty counters and the model cache, so both batches pay the same for everything but their groups
    await deliverAll(f, await requestBatch(f, f.models.onchain, [DEFAULT_OPTIONS, short]), f.wallets.exec1);
    const alike = await requestBatch(f, f.models.onchain, [DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS, DEFAULT_OPTIONS]);
    const alternating = await requestBatch(f, f.models.onchain, [DEFAULT_OPTIONS, short, DEFAULT_OPTIONS, short]);
    const alikeGas = await deliverAll(f, alike, f.wallets.exec1);
    const alternatingGas = await deliverAll(f, alternating, f.wallets.exec1);
    assert.equal((await f.hub.getEvents.ItemRejected({}, { fromBlock: 0n, strict: true })).length, 0);
    const { defaultProofTimeout } = await f.hub.read.parameters();
    for (const [k, id] of alternating.entries()) {
      const v = await f.hub.read.getRequest([id]);
      const { timestamp } = await f.publicClient.getBlock();
      assert.equal(v.proofDeadline - timestamp, BigInt(k % 2 === 0 ? defaultProofTimeout : 120), `request ${id} keeps its own proof timeout`);
    }
    // three results join the first one's group: a fresh slot (22,100 gas) and a draw saved each, less the group's read
    assert.ok(alternatingGas - alikeGas > 3n * 20_000n, `alike ${alikeGas}, alternating ${alternatingGas}`);
  });

  it("adversarial: the executor cannot choose its results' prover by the order it delivers them in (one draw per 32-id bucket and block)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const ids = await requestBatch(f, f.models.onchain, Array.from({ length: 8 }, () => DEFAULT_OPTIONS));
    const executor = f.walletOf((await f.hub.read.getRequest([ids[0]])).executor);
    const start = await networkHelpers.takeSnapshot();
    const at = (await f.publicClient.getBlock()).timestamp + 10n;
    // every result as the first of the batch (which opened the group, and seeded its draw, on the old rule), and the
    // whole batch reversed: each delivered in the same next block from the same state
    const orders = [...ids.map((first) => [first, ...ids.filter((id) => id !== first)]), [...ids].reverse()];
    const seen = new Set<string>();
    for (const order of orders) {
      await start.restore();
      await networkHelpers.time.setNextBlockTimestamp(at);
      await f.hub.write.submitResults([order, order.map(() => OUTPUT)], { account: executor.account });
      const drawn = await provedBy(f, ids);
      assert.equal(new Set(drawn).size, 1, "one prover for the bucket's results");
      seen.add(drawn[0]);
    }
    assert.equal(seen.size, 1, `the order chose the prover: ${[...seen].join(", ")}`);
  });

  it("adversarial: a group never spans a bucket of 32 ids, so no more than 32 results share a draw", async () => {
    const gasOf = async (pair: bigint[]) => {
      const f = await networkHelpers.loadFixture(fixture);
      await onlyExec1(f);
      await requestBatch(f, f.models.onchain, Array.from({ length: 40 }, () => DEFAULT_OPTIONS));
      return deliverAll(f, pair, f.wallets.exec1);
    };
    // 30 and 31 share bucket 0 (ids 0..31); 31 and 32 do not: 32 opens a group (a fresh slot and a draw)
    const [inside, across] = [await gasOf([30n, 31n]), await gasOf([31n, 32n])];
    assert.ok(across - inside > 15_000n, `within a bucket ${inside}, across buckets ${across}`);
  });
});

describe("what a batch learns once is not asked again per item", () => {
  it("adversarial: a request batch reads each model's terms for its own items: another model's price or domain never carries over", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const wide = { lower: [-4096n, -4096n, -4096n, -4096n], upper: [4095n, 4095n, 4095n, 4095n] };
    const { result: dear } = await f.modelRegistry.simulate.registerModel([modelSpec(Mode.ZKML_ONCHAIN, f.verifier.address, 0n, PRICE * 2n, wide)]);
    await f.modelRegistry.write.registerModel([modelSpec(Mode.ZKML_ONCHAIN, f.verifier.address, 0n, PRICE * 2n, wide)]);
    const send = (items: [bigint, bigint[], bigint][]) =>
      f.hub.write.requestInferences(
        [items.map((i) => i[0]), items.map((i) => i[1]), items.map(() => DEFAULT_OPTIONS), items.map((i) => i[2])],
        { value: items.reduce((t, i) => t + i[2], 0n), account: f.wallets.user.account, gasPrice: GAS_PRICE },
      );
    const wideInput = [3000n, 0n, 0n, 0n];
    const cheap = paymentOf();
    const full = paymentOf({}, PRICE * 2n);
    const refused = (items: [bigint, bigint[], bigint][], index: bigint, reason: Hex) =>
      viem.assertions.revertWithCustomErrorWithArgs(send(items), f.hub, "InferenceHubRequestItemInvalid", [index, reason]);
    const hubError = (errorName: string, args: readonly unknown[]) => encodeErrorResult({ abi: f.hub.abi, errorName, args } as never);
    // the dear model's item paying the cheap model's price
    await refused([[f.models.onchain, INPUT, cheap], [dear, INPUT, cheap]], 1n, hubError("InferenceHubFeeTooLow", [dear, full, cheap]));
    // the cheap model's item, after a run of the dear one, with an input only the dear model admits
    await refused(
      [[f.models.onchain, INPUT, cheap], [dear, wideInput, full], [f.models.onchain, wideInput, cheap]],
      2n,
      hubError("InferenceHubInputOutOfDomain", [0n, 3000n, -1024n, 1023n]),
    );
    // a first item naming no model (id 0) is refused for that, by the registry
    await refused(
      [[0n, INPUT, cheap], [f.models.onchain, INPUT, cheap]],
      0n,
      encodeErrorResult({ abi: f.modelRegistry.abi, errorName: "ModelRegistryUnknownModel", args: [0n] }),
    );
    assert.equal(await f.hub.read.requestCount(), 0n);
    await send([[f.models.onchain, INPUT, cheap], [dear, wideInput, full], [f.models.onchain, INPUT, cheap]]);
    const fees = (await f.hub.read.getRequests([[1n, 2n, 3n]])).map((r) => r.fee);
    assert.deepEqual(fees, [PRICE, PRICE * 2n, PRICE]);
  });
});
