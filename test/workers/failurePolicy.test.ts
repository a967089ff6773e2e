// Hub reverts reach the workers as typed errors (decoded with the contracts' ABIs, never matched as text), and one
// table per stage decides what a job does with each.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaseError, ContractFunctionExecutionError, ContractFunctionRevertedError, encodeErrorResult, zeroAddress } from "viem";
import { inferenceHubAbi, modelRegistryAbi } from "../../protocol/abi/generated.js";
import { STAGE_POLICIES, classifyFailure, classifyProtocolError } from "../../workers/chain/failurePolicy.js";
import { decodeRevertData, describeRevertData, failureReason, protocolErrorOf } from "../../workers/chain/protocolError.js";
import { BadInputError, ChainError, TxRejectedError } from "../../workers/shared/errors.js";
import { BundleNotFoundError, ProvingError } from "../../workers/proofs/errors.js";

const hubError = (errorName: string, args: readonly unknown[] = []) => encodeErrorResult({ abi: inferenceHubAbi, errorName: errorName as never, args: args as never });
const notAssigned = hubError("InferenceHubNotAssigned", [7n, zeroAddress, zeroAddress, 1234n]);

/** A revert as viem reports a failed simulateContract, wrapped the way TxSender wraps it. */
function rejected(data: `0x${string}`): TxRejectedError {
  const revert = new ContractFunctionRevertedError({ abi: inferenceHubAbi, data, functionName: "submitResult" });
  const viemError = new ContractFunctionExecutionError(revert, { abi: inferenceHubAbi, functionName: "submitResult", args: [] });
  return new TxRejectedError("submitResult would revert", { cause: viemError });
}

describe("hub errors", () => {
  it("decode to a union typed by the ABI, with their arguments", () => {
    const e = decodeRevertData(notAssigned);
    assert.ok(e?.errorName === "InferenceHubNotAssigned");
    assert.equal(e.args[3], 1234n); // openAt, typed as bigint
    assert.equal(decodeRevertData(encodeErrorResult({ abi: modelRegistryAbi, errorName: "ModelRegistryUnknownModel", args: [9n] }))?.errorName, "ModelRegistryUnknownModel");
    assert.equal(decodeRevertData("0x"), null);
    assert.equal(decodeRevertData("0xdeadbeef"), null);
    assert.equal(describeRevertData(notAssigned), `InferenceHubNotAssigned(7, ${zeroAddress}, ${zeroAddress}, 1234)`);
    assert.equal(describeRevertData("0x"), "reverted without reason");
  });

  it("are found through any cause chain (TxSender's rejection, viem's errors, raw revert data)", () => {
    assert.equal(protocolErrorOf(rejected(notAssigned))?.errorName, "InferenceHubNotAssigned");
    const raw = new BaseError("eth_call failed", { cause: Object.assign(new Error("execution reverted"), { data: hubError("InferenceHubDeadlineNotReached", [1n, 2n]) }) });
    assert.equal(protocolErrorOf(new ChainError("simulating failed", { cause: raw }))?.errorName, "InferenceHubDeadlineNotReached");
    assert.equal(protocolErrorOf(new Error("ECONNREFUSED")), null);
    assert.equal(failureReason(rejected(hubError("InferenceHubNothingToClaim", [3n, zeroAddress]))), `InferenceHubNothingToClaim(3, ${zeroAddress})`);
  });

  it("are classified by one table per stage; anything unlisted is retried", () => {
    const cases: [keyof typeof STAGE_POLICIES, string, string][] = [
      ["submit", "InferenceHubNotAssigned", "delay"],
      ["submit", "InferenceHubNotEligible", "delay"],
      ["submit", "InferenceHubDeadlinePassed", "permanent"],
      ["submit", "InferenceHubUnexpectedStatus", "retry"],
      ["refund", "InferenceHubDeadlineNotReached", "delay"],
      ["prove", "InferenceHubUnexpectedStatus", "skip"],
      ["prove", "InferenceHubInputMismatch", "permanent"],
      ["prove", "InferenceHubInvalidProof", "retry"],
      ["settle", "InferenceHubDeadlineNotReached", "delay"],
      ["attest", "InferenceHubDuplicateAttestation", "skip"],
      ["attest", "InferenceHubInvalidSignature", "retry"],
      ["claim", "InferenceHubNothingToClaim", "skip"],
    ];
    for (const [stage, name, action] of cases) {
      const data = hubError(name, inferenceHubAbi.find((i) => i.type === "error" && i.name === name)!.inputs.map((p) => (p.type === "address" ? zeroAddress : p.type === "bool" ? false : p.type === "bytes32" ? `0x${"00".repeat(32)}` : p.type === "string" ? "" : 0n)));
      assert.equal(classifyFailure(stage, rejected(data)).action, action, `${stage} ${name}`);
    }
    assert.equal(classifyProtocolError("submit", null), "retry");
  });

  it("leave permanent TwinpathErrors permanent in every stage and retry everything else", () => {
    for (const err of [new BadInputError("bad"), new BundleNotFoundError("none")]) assert.equal(classifyFailure("prove", err).action, "permanent");
    assert.equal(classifyFailure(null, new ProvingError("engine trapped")).action, "retry");
    assert.equal(classifyFailure("submit", new Error("socket hang up")).action, "retry");
  });
});
