import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from "viem";

import { budgetOf, DEFAULT_OPTIONS, deployProtocol, GAS_PRICE, MIN_STAKE, Mode, modelSpec, PRICE, Role, SLASH, Status, toField } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();

/** Slots per proof of the batch version under test. */
const N = 4;
const ZEROS = [0n, 0n, 0n, 0n];
const inputOf = (i: number): bigint[] => [100n + BigInt(i), -50n - BigInt(i), 7n * BigInt(i), 3n];
const outputOf = (i: number): bigint[] => [500n + BigInt(i), -120n, BigInt(i)];
/** What the circuit would compute for a padded slot (zeros): any value, the proof commits to it. */
const PAD_OUTPUT = [11n, -22n, 33n];

/** TS reference of Instances.buildBatch: every slot's input (padding: zeros), then every slot's output. */
function batchInstances(inputs: bigint[][], outputs: bigint[][]): bigint[] {
  const padded = [...inputs, ...Array.from({ length: outputs.length - inputs.length }, () => ZEROS)];
  return [...padded.flat(), ...outputs.flat()].map(toField);
}
/** A proof the TestOnlyInstanceCheckingVerifier accepts for exactly the batch instances of these slots. */
function batchProof(inputs: bigint[][], outputs: bigint[][]): Hex {
  return keccak256(encodeAbiParameters([{ type: "uint256[]" }], [batchInstances(inputs, outputs)]));
}
const padTo = (outputs: bigint[][]): bigint[][] => [...outputs, ...Array.from({ length: N - outputs.length }, () => PAD_OUTPUT)];

/**
 * The protocol with one executor and one prover (so every request of a batch is drawn to the same prover), a batch-4
 * ZKML_ONCHAIN version, a second batch-4 version and a batch-1 one, and the test consumer.
 */
async function fixture() {
  const wallets = await viem.getWalletClients();
  const [, , exec, prover, user, outsider] = wallets;
  const { modelRegistry, nodeRegistry, hub } = await deployProtocol(viem);
  const verifier = await viem.deployContract("TestOnlyInstanceCheckingVerifier");
  const register = async (batch: number, salt: string) => {
    const spec = { ...modelSpec(Mode.ZKML_ONCHAIN, verifier.address), manifestHash: keccak256(`0x${salt}`), batch };
    const { result } = await modelRegistry.simulate.registerModel([spec]);
    await modelRegistry.write.registerModel([spec]);
    return result;
  };
  const models = { batch: await register(N, "b4"), otherBatch: await register(N, "c4"), single: await register(1, "01") };
  await nodeRegistry.write.register([Role.Executor], { value: MIN_STAKE, account: exec.account });
  await nodeRegistry.write.register([Role.Prover], { value: MIN_STAKE, account: prover.account });
  const consumer = await viem.deployContract("TestOnlyConsumer", [hub.address]);
  const publicClient = await viem.getPublicClient();

  /** n requests of `modelId` from the consumer, each delivered with `outputs[i]` by the executor. */
  async function executed(modelId: bigint, inputs: bigint[][], outputs = inputs.map((_, i) => outputOf(i))): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (const [i, input] of inputs.entries()) {
      const id = (await hub.read.requestCount()) + 1n;
      await consumer.write.request([modelId, input, DEFAULT_OPTIONS], { value: PRICE + budgetOf(), account: user.account, gasPrice: GAS_PRICE });
      await hub.write.submitResult([id, outputs[i]], { account: exec.account });
      ids.push(id);
    }
    return ids;
  }
  const asProver = { account: prover.account };
  return { hub, nodeRegistry, consumer, models, exec, prover, outsider, publicClient, executed, asProver };
}

describe("InferenceHub.submitBatchProof (ZKML_ONCHAIN batch versions)", () => {
  it("a partial batch (3 of 4 slots, the last padded with zeros) settles its 3 requests with one verification", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const { hub } = f;
    const inputs = [0, 1, 2].map(inputOf);
    const proven = [0, 1, 2].map(outputOf);
    // the executor got request 2 wrong: the batch path slashes it exactly as submitProof would
    const fast = [proven[0], proven[1], [9n, 9n, 9n]];
    const ids = await f.executed(f.models.batch, inputs, fast);
    const outputs = padTo(proven);
    const proof = batchProof(inputs, outputs);
    const stakeBefore = await f.nodeRegistry.read.stakeOf([f.exec.account.address, Role.Executor]);
    const tx = await hub.write.submitBatchProof([ids, inputs, outputs, proof], f.asProver);
    for (const id of ids) assert.equal(await hub.read.status([id]), Status.Settled);
    const verified = await hub.getEvents.BatchProofVerified({}, { blockHash: (await f.publicClient.getTransactionReceipt({ hash: tx })).blockHash });
    assert.equal(verified.length, 1);
    assert.equal(verified[0].args.requests, 3n);
    assert.equal(verified[0].args.modelId, f.models.batch);
    // every request's own events, and its onSettled callback with its own proven output
    const settled = await hub.getEvents.RequestSettled({}, { fromBlock: 0n });
    assert.deepEqual(settled.map((e) => e.args.requestId), ids);
    const mismatch = await hub.getEvents.ExecutorMismatch({}, { fromBlock: 0n });
    assert.deepEqual(mismatch.map((e) => e.args.requestId), [ids[2]]);
    assert.equal(await f.nodeRegistry.read.stakeOf([f.exec.account.address, Role.Executor]), stakeBefore - SLASH);
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(await f.consumer.read.settledOutput([id]), proven[i]);
    }
    // the prover's share of each fee, the slash's reward to the prover that proved the fault, and the books balance
    // (ZKML_ONCHAIN has no verification nodes: their share goes to the prover, FeeSplit)
    assert.deepEqual(settled.map((e) => e.args.proverReward), ids.map(() => (PRICE * 5_000n) / 10_000n));
    const slashes = await hub.getEvents.SlashCredited({}, { fromBlock: 0n });
    assert.equal(slashes.length, 1);
    assert.equal(getAddress(slashes[0].args.beneficiary!), getAddress(f.prover.account.address));
    assert.equal(await f.publicClient.getBalance({ address: hub.address }), await hub.read.accountedBalance());
  });

  it("a full batch of N requests settles all of them", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1, 2, 3].map(inputOf);
    const outputs = [0, 1, 2, 3].map(outputOf);
    const ids = await f.executed(f.models.batch, inputs);
    await f.hub.write.submitBatchProof([ids, inputs, outputs, batchProof(inputs, outputs)], f.asProver);
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Settled);
  });

  it("a padded slot presented as a request: its zeros are not the request's input, and the real input breaks the proof", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1, 2].map(inputOf);
    const ids = await f.executed(f.models.batch, inputs);
    // a proof of a partial batch of the first two (slots 2 and 3 padded with zeros), claiming the padded slot 2's
    // output for the third request
    const outputs = padTo([outputOf(0), outputOf(1)]);
    const proof = batchProof(inputs.slice(0, 2), outputs);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids, [...inputs.slice(0, 2), ZEROS], outputs, proof], f.asProver),
      f.hub,
      "InferenceHubInputMismatch",
      [ids[2]],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids, inputs, outputs, proof], f.asProver),
      f.hub,
      "InferenceHubInvalidProof",
      [ids[0]],
    );
    // padding is the hub's zeros: a proof whose padded slot carries another input does not verify
    const withOwnPadding = keccak256(
      encodeAbiParameters([{ type: "uint256[]" }], [[...[...inputs.slice(0, 2), inputs[2], ZEROS].flat(), ...outputs.flat()].map(toField)]),
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids.slice(0, 2), inputs.slice(0, 2), outputs, withOwnPadding], f.asProver),
      f.hub,
      "InferenceHubInvalidProof",
      [ids[0]],
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("a duplicated request id is refused (ids strictly ascending)", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1].map(inputOf);
    const ids = await f.executed(f.models.batch, inputs);
    const dup = [ids[0], ids[0]];
    const outputs = padTo([outputOf(0), outputOf(0)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([dup, [inputs[0], inputs[0]], outputs, batchProof([inputs[0], inputs[0]], outputs)], f.asProver),
      f.hub,
      "InferenceHubBatchNotAscending",
      [1n],
    );
    assert.equal(await f.hub.read.status([ids[0]]), Status.Executed);
  });

  it("a request of another model version in the batch is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const [a] = await f.executed(f.models.batch, [inputOf(0)]);
    const [x] = await f.executed(f.models.otherBatch, [inputOf(1)]);
    const inputs = [inputOf(0), inputOf(1)];
    const outputs = padTo([outputOf(0), outputOf(0)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([[a, x], inputs, outputs, batchProof(inputs, outputs)], f.asProver),
      f.hub,
      "InferenceHubBatchModelMismatch",
      [x, f.models.batch],
    );
    assert.equal(await f.hub.read.status([x]), Status.Executed);
  });

  it("a batch longer than N is refused, and outputs must cover exactly N slots", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1, 2, 3, 4].map(inputOf);
    const outputs = [0, 1, 2, 3, 4].map(outputOf);
    const ids = await f.executed(f.models.batch, inputs);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids, inputs, outputs, batchProof(inputs, outputs)], f.asProver),
      f.hub,
      "InferenceHubBatchTooLarge",
      [5n, BigInt(N)],
    );
    const two = outputs.slice(0, 2);
    await viem.assertions.revertWithCustomError(
      f.hub.write.submitBatchProof([ids.slice(0, 2), inputs.slice(0, 2), two, batchProof(inputs.slice(0, 2), two)], f.asProver),
      f.hub,
      "InferenceHubBatchLengthMismatch",
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("a proof for a permuted order does not verify, and a permuted id list is refused", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1].map(inputOf);
    const ids = await f.executed(f.models.batch, inputs);
    // proved in the order (b, a); submitted in the ascending order (a, b), each output crossed to the other request
    const permutedOutputs = padTo([outputOf(1), outputOf(0)]);
    const permutedProof = batchProof([inputs[1], inputs[0]], permutedOutputs);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids, inputs, permutedOutputs, permutedProof], f.asProver),
      f.hub,
      "InferenceHubInvalidProof",
      [ids[0]],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([[ids[1], ids[0]], [inputs[1], inputs[0]], permutedOutputs, permutedProof], f.asProver),
      f.hub,
      "InferenceHubBatchNotAscending",
      [1n],
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("an input in calldata other than the stored commitment is refused, even with a proof of it", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [0, 1].map(inputOf);
    const ids = await f.executed(f.models.batch, inputs);
    const forged = [inputs[0], [1n, 2n, 3n, 4n]];
    const outputs = padTo([outputOf(0), outputOf(1)]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitBatchProof([ids, forged, outputs, batchProof(forged, outputs)], f.asProver),
      f.hub,
      "InferenceHubInputMismatch",
      [ids[1]],
    );
    for (const id of ids) assert.equal(await f.hub.read.status([id]), Status.Executed);
  });

  it("keeps submitProof's rules: only the assigned prover, and a batch version's proofs go through submitBatchProof", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const inputs = [inputOf(0)];
    const ids = await f.executed(f.models.batch, inputs);
    const outputs = padTo([outputOf(0)]);
    const proof = batchProof(inputs, outputs);
    const assigned = getAddress(await f.hub.read.assignedProver([ids[0]]));
    await viem.assertions.revertWithCustomError(
      f.hub.write.submitBatchProof([ids, inputs, outputs, proof], { account: f.outsider.account }),
      f.hub,
      "InferenceHubNotAssigned",
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitProof([ids[0], inputs[0], outputOf(0), proof], f.asProver),
      f.hub,
      "InferenceHubBatchTooLarge",
      [1n, BigInt(N)],
    );
    assert.equal(assigned, getAddress(f.prover.account.address as Address));
    await f.hub.write.submitBatchProof([ids, inputs, outputs, proof], f.asProver);
    assert.equal(await f.hub.read.status([ids[0]]), Status.Settled);
  });
});
