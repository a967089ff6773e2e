/**
 * What a verification node rebuilds a ZKML_ATTESTED batch proof's instances from (protocol/batchCommitment.ts and
 * buildBatchInstances): the commitBatchProof transaction's logs. The hub-side rule is checked against the contract in
 * test/contracts/hub.attested-batch-proof.test.ts; here, the logs a node must not be fooled by.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeEventTopics, encodeAbiParameters, getAbiItem, getAddress, keccak256, type AbiEvent, type Address, type Hex, type Log } from "viem";

import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { batchCommitmentFromLogs, committedProofKey } from "../../protocol/batchCommitment.js";
import { proofKey } from "../../protocol/attestation.js";
import { buildBatchInstances, FIELD_MODULUS, InstanceRangeError } from "../../protocol/instances.js";

const HUB = "0x00000000000000000000000000000000000000a1" as Address;
const OTHER = "0x00000000000000000000000000000000000000b2" as Address;
const PROVER = getAddress("0x00000000000000000000000000000000000000c3");
const PROOF = keccak256("0x01");
const INSTANCES = keccak256("0x02");

let logIndex = 0;
function log(address: Address, eventName: "BatchProofCommitted" | "ProofSubmitted", args: Record<string, unknown>): Log {
  const event = getAbiItem({ abi: inferenceHubAbi, name: eventName }) as AbiEvent;
  const topics = encodeEventTopics({ abi: inferenceHubAbi, eventName, args } as never) as [Hex, ...Hex[]];
  const data = encodeAbiParameters(
    event.inputs.filter((i) => !i.indexed),
    event.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]) as never,
  );
  return { address, topics, data, logIndex: logIndex++, blockHash: null, blockNumber: null, transactionHash: null, transactionIndex: null, removed: false } as Log;
}
const committed = (requests: bigint, paddingOutputs: bigint[][], address = HUB, proofHash = PROOF) =>
  log(address, "BatchProofCommitted", { modelId: 7n, prover: PROVER, proofHash, instancesHash: INSTANCES, requests, paddingOutputs });
const submitted = (requestId: bigint, output: bigint[], address = HUB, proofHash = PROOF) =>
  log(address, "ProofSubmitted", { requestId, prover: PROVER, proofHash, instancesHash: INSTANCES, output, proofStore: "http://p.test" });

describe("batch commitments as a verification node reads them", () => {
  it("rebuilds the slots: the requests' outputs in log order, then the padded slots'", () => {
    const logs = [committed(2n, [[9n, 9n]]), submitted(4n, [1n, 2n]), submitted(6n, [3n, 4n])];
    const batch = batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 6n);
    assert.deepEqual(batch, { prover: PROVER, modelId: 7n, requestIds: [4n, 6n], outputs: [[1n, 2n], [3n, 4n], [9n, 9n]], proofStore: "http://p.test" });
    assert.equal(batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 5n), null, "a request not in the batch");
  });

  it("two commitments of the same proof and instances in one transaction (a contract prover) are read apart, never merged", () => {
    // requests 5 and 6 with equal inputs, committed as two partial batches of one proof: each its own round
    const logs = [committed(1n, [[9n, 9n]]), submitted(5n, [1n, 2n]), committed(1n, [[9n, 9n]]), submitted(6n, [1n, 2n])];
    assert.deepEqual(batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 5n)?.requestIds, [5n]);
    assert.deepEqual(batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 6n)?.requestIds, [6n]);
  });

  it("ignores another contract's look-alike events and other proofs in the same transaction", () => {
    const logs = [
      committed(1n, [], OTHER),
      submitted(5n, [0n, 0n], OTHER),
      committed(1n, [[0n, 0n]]),
      submitted(4n, [1n, 2n]),
      submitted(8n, [7n, 7n], HUB, keccak256("0x03")), // a single commitment of another proof in the same transaction
    ];
    const batch = batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 4n);
    assert.deepEqual(batch?.requestIds, [4n]);
    assert.equal(batchCommitmentFromLogs(logs, HUB, keccak256("0x03"), INSTANCES, 8n), null, "a single commitment is no batch");
  });

  it("refuses a transaction whose slots do not add up to the batch it announces", () => {
    const logs = [committed(3n, []), submitted(4n, [1n, 2n]), submitted(6n, [3n, 4n])];
    assert.throws(() => batchCommitmentFromLogs(logs, HUB, PROOF, INSTANCES, 4n), /names 3 requests, the 2 ProofSubmitted after it do not match/);
  });

  it("lays out the instances as the hub does: inputs, padding zeros, outputs; refuses what does not fit", () => {
    const inst = buildBatchInstances([[1n, -1n]], [[5n], [6n]], 2);
    assert.deepEqual(inst, [1n, FIELD_MODULUS - 1n, 0n, 0n, 5n, 6n]);
    assert.throws(() => buildBatchInstances([[1n, 2n], [3n, 4n]], [[5n]], 2), /2 requests for 1 slots/);
    assert.throws(() => buildBatchInstances([[1n]], [[5n]], 2), /slot 0: 1 inputs/);
    assert.throws(() => buildBatchInstances([[2n ** 127n, 0n]], [[5n]], 2), InstanceRangeError);
  });

  it("the key the hub recorded for a committed request: its batch's round (first request) or, alone, its own", () => {
    const logs = [committed(2n, [[9n, 9n]]), submitted(4n, [1n, 2n]), submitted(6n, [3n, 4n]), submitted(8n, [7n, 7n], HUB, keccak256("0x03"))];
    assert.equal(committedProofKey(logs, HUB, 6n, PROOF, INSTANCES), proofKey(4n, PROOF, INSTANCES), "request 6 of the batch: the round of request 4");
    assert.equal(committedProofKey(logs, HUB, 4n, PROOF, INSTANCES), proofKey(4n, PROOF, INSTANCES));
    assert.equal(committedProofKey(logs, HUB, 8n, keccak256("0x03"), INSTANCES), proofKey(8n, keccak256("0x03"), INSTANCES), "a single commitment");
  });
});
