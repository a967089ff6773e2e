/**
 * Verify a settled result offline: nobody's word is taken for it but the chain's data. From the request's events
 * and the registered model, with the model's bundle (from anywhere) and the project's TypeScript Halo2 verifier:
 *
 *   status        the hub settled the request (RequestSettled)
 *   bundle        the bundle is the one the model was registered with (every hash; protocol/modelBinding.ts)
 *   circuit       the circuit description belongs to the registered verifying key
 *   instances     input (from InferenceRequested) ‖ proven output rebuild the hub's input and instances hashes, and
 *                 the settled output is the proven one; for a batch version, every slot of the call that carried the
 *                 proof (submitBatchProof / commitBatchProof: each request's input against its inputHash, the hub's
 *                 padding) rebuilds the batch's instances, and this request's slot holds the proven output
 *   proof         the proof (ZKML_ATTESTED: fetched from the prover's proof store named in ProofSubmitted and
 *                 checked against the committed hash; else the transaction's calldata) verifies for those instances
 *   attestations  ZKML_ATTESTED: each counted vote is an EIP-712 signature of its node about this proof, weighed
 *                 with its stake at the round's snapshot, and the valid stake reaches the quorum of the round's
 *                 fixed electorate
 *
 * Runs in a browser and in Node (no engine, no Node module).
 */
import { decodeFunctionData, hexToBytes, keccak256, type Hex } from "viem";
import { inferenceHubAbi } from "../../protocol/abi/generated.js";
import { proofKey } from "../../protocol/attestation.js";
import { RequestStatus, VerificationMode } from "../../protocol/enums.js";
import { buildBatchInstances, buildInstances, instancesHash, valuesHash } from "../../protocol/instances.js";
import { fetchProof, ProofUnavailableError } from "../../protocol/proofStore.js";
import { getRequestTimeline, type RequestTimeline } from "../chain/lifecycle.js";
import { getModel, type TwinpathModel } from "../chain/models.js";
import type { ReadClient, TwinpathAddresses } from "../chain/types.js";
import { decodeOutput, type DecodedOutput } from "../tensor.js";
import { checkAttestations } from "./attestations.js";
import { loadRegisteredBundle, type BundleSource, type VerificationCheck } from "./bundle.js";
import { checkProof, loadCircuit, type CircuitSource } from "./proof.js";

export interface VerifySettledResultParameters {
  addresses: TwinpathAddresses;
  requestId: bigint;
  /** the model's bundle (httpBundle, memoryBundle, or directoryBundle in Node) */
  bundle: BundleSource;
  /** the circuit description; default: circuit.json in the bundle */
  circuit?: CircuitSource;
  /** decode the settled output to a class label */
  labels?: readonly string[];
  /** quorum to require of attestations, basis points (see checkAttestations) */
  quorumBps?: number;
  /** block of the request or earlier (skips the backward search for it) */
  fromBlock?: bigint;
}

export interface VerificationReport {
  /** every check passed, the proof check included */
  ok: boolean;
  requestId: bigint;
  modelId?: bigint;
  modeName?: string;
  statusName: string;
  checks: VerificationCheck[];
  /** the settled output, decoded at the registered output scale */
  output?: DecodedOutput;
  timeline: RequestTimeline;
}

interface ProofData {
  proof: Uint8Array;
  output: readonly bigint[];
  proofHash: Hex;
}

/**
 * The accepted proof's bytes: ZKML_ATTESTED from the proof store named in ProofSubmitted (hash-checked), else from the
 * calldata of the call that carried it.
 */
async function findProof(client: ReadClient, hub: Hex, t: RequestTimeline): Promise<ProofData | string> {
  const id = t.requestId;
  const submitted = t.events.filter((e) => e.eventName === "ProofSubmitted").at(-1);
  const challenged = t.events.filter((e) => e.eventName === "Challenged").at(-1);
  const carrier = submitted ?? challenged;
  if (!carrier) return "no proof was submitted for this request";
  if (submitted?.eventName === "ProofSubmitted" && submitted.args.proofStore !== "") {
    const { proofStore, proofHash, output } = submitted.args;
    try {
      return { proof: await fetchProof([proofStore], proofHash), output, proofHash };
    } catch (err) {
      if (err instanceof ProofUnavailableError) return `the proof's bytes could not be fetched: ${err.message}`;
      throw err;
    }
  }
  const tx = await client.getTransaction({ hash: carrier.transactionHash });
  if (tx.to?.toLowerCase() !== hub.toLowerCase()) return `the proof's transaction ${carrier.transactionHash} does not call the hub: its calldata cannot be read`;
  let call;
  try {
    call = decodeFunctionData({ abi: inferenceHubAbi, data: tx.input });
  } catch {
    return `cannot decode the calldata of ${carrier.transactionHash}`;
  }
  let found: { output: readonly bigint[]; proof: Hex } | undefined;
  if ((call.functionName === "submitProof" || call.functionName === "challenge") && call.args[0] === id) found = { output: call.args[2], proof: call.args[3] };
  if (call.functionName === "submitProofs") {
    const i = call.args[0].indexOf(id);
    if (i >= 0) found = { output: call.args[2][i], proof: call.args[3][i] };
  }
  if (call.functionName === "submitBatchProof") {
    const i = call.args[0].indexOf(id);
    if (i >= 0) found = { output: call.args[2][i], proof: call.args[3] };
  }
  if (!found) return `transaction ${carrier.transactionHash} (${call.functionName}) carries no proof of request ${id}`;
  return { proof: hexToBytes(found.proof), output: found.output, proofHash: keccak256(found.proof) };
}

/** A batch version's proof as the call that carried it lays it out: the requests in slot order, their inputs, every
 * slot's output (padding's included). */
interface BatchSlots {
  ids: readonly bigint[];
  inputs: readonly (readonly bigint[])[];
  outputs: readonly (readonly bigint[])[];
}

/** The slots of the submitBatchProof / commitBatchProof call that carried the request's proof (its calldata). */
async function batchSlots(client: ReadClient, hub: Hex, t: RequestTimeline): Promise<BatchSlots | string> {
  const carrier = t.events.filter((e) => e.eventName === "ProofSubmitted").at(-1);
  if (!carrier) return "no proof was submitted for this request";
  const tx = await client.getTransaction({ hash: carrier.transactionHash });
  if (tx.to?.toLowerCase() !== hub.toLowerCase()) return `the batch proof's transaction ${carrier.transactionHash} does not call the hub: its slots cannot be read`;
  try {
    const call = decodeFunctionData({ abi: inferenceHubAbi, data: tx.input });
    if (call.functionName === "submitBatchProof" || call.functionName === "commitBatchProof") {
      return { ids: call.args[0], inputs: call.args[1], outputs: call.args[2] };
    }
    return `transaction ${carrier.transactionHash} (${call.functionName}) is not a batch proof, yet the model is a batch version`;
  } catch {
    return `cannot decode the calldata of ${carrier.transactionHash}`;
  }
}

/** What is wrong with a batch's slots for request `id` proving `output`: each input must be its request's (the hub's
 * inputHash), and `id`'s slot must hold the proven output. */
async function batchProblems(client: ReadClient, hub: Hex, b: BatchSlots, id: bigint, output: readonly bigint[]): Promise<string[]> {
  const problems: string[] = [];
  const slot = b.ids.indexOf(id);
  if (slot < 0) return [`request ${id} is not in the batch proof's slots`];
  if (valuesHash(b.outputs[slot]) !== valuesHash(output)) problems.push(`slot ${slot}'s output is not the proven output`);
  const records = await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "getRequests", args: [[...b.ids]] });
  b.ids.forEach((other, i) => {
    if (valuesHash(b.inputs[i]) !== records[i].inputHash) problems.push(`slot ${i}'s input is not request ${other}'s (the hub's inputHash)`);
  });
  return problems;
}

/** Runs every check; never throws for a failed check (read `ok` and `checks`), only for an unreachable chain. */
export async function verifySettledResult(client: ReadClient, p: VerifySettledResultParameters): Promise<VerificationReport> {
  const { addresses, requestId } = p;
  const timeline = await getRequestTimeline(client, { hub: addresses.hub, quorum: addresses.attestationQuorum, requestId, fromBlock: p.fromBlock });
  const checks: VerificationCheck[] = [];
  const report = (model?: TwinpathModel, output?: DecodedOutput): VerificationReport => ({
    ok: checks.every((c) => c.status !== "fail") && checks.some((c) => c.name === "proof" && c.status === "pass"),
    requestId,
    modelId: model?.id,
    modeName: model?.modeName,
    statusName: timeline.statusName,
    checks,
    output,
    timeline,
  });
  const settled = timeline.settled;
  if (timeline.status !== RequestStatus.Settled || !settled) {
    checks.push({ name: "status", status: "fail", detail: `request ${requestId} is ${timeline.statusName}, not Settled` });
    return report();
  }
  checks.push({ name: "status", status: "pass", detail: `settled in block ${settled.blockNumber} (tx ${settled.transactionHash})` });
  const model = await getModel(client, { modelRegistry: addresses.modelRegistry, modelId: timeline.modelId! });
  const output = settled.output ? decodeOutput(model.output, settled.output, { labels: p.labels }) : undefined;

  if (model.mode === VerificationMode.OPTIMISTIC && !timeline.events.some((e) => e.eventName === "Challenged")) {
    checks.push({ name: "proof", status: "skip", detail: "OPTIMISTIC: settled unchallenged after its window; there is no proof to verify" });
    return report(model, output);
  }

  const { bundle, check: bundleCheck } = await loadRegisteredBundle(p.bundle, model);
  checks.push(bundleCheck);
  if (!bundle) return report(model, output);
  const { desc, check: circuitCheck } = await loadCircuit(p.circuit ?? { source: p.bundle }, bundle.files.vk);
  checks.push(circuitCheck);

  const record = await client.readContract({ address: addresses.hub, abi: inferenceHubAbi, functionName: "getRequest", args: [requestId] });
  const proof = await findProof(client, addresses.hub, timeline);
  if (typeof proof === "string") {
    checks.push({ name: "proof", status: "fail", detail: proof });
    return report(model, output);
  }
  // bind: the input the hub hashed, the output the proof claims, the instances the hub recorded
  const input = timeline.input ?? [];
  let instances: bigint[] = [];
  const problems: string[] = [];
  if (valuesHash(input) !== record.inputHash) problems.push("the InferenceRequested input does not hash to the hub's inputHash");
  // the hub keeps one key of the proof it recorded: the proof's hash and the instances rebuilt here must give it
  // (a ZKML_ATTESTED batch proof's round is keyed by the batch's first request)
  let boundHash: Hex | undefined;
  let roundRequestId = timeline.requestId;
  let slots = "";
  try {
    if (model.batch > 1) {
      const batch = await batchSlots(client, addresses.hub, timeline);
      if (typeof batch === "string") problems.push(batch);
      else {
        problems.push(...(await batchProblems(client, addresses.hub, batch, timeline.requestId, proof.output)));
        instances = buildBatchInstances(batch.inputs, batch.outputs, input.length);
        if (model.mode === VerificationMode.ZKML_ATTESTED) roundRequestId = batch.ids[0];
        slots = ` in slot ${batch.ids.indexOf(timeline.requestId)} of a batch of ${batch.ids.length} requests (${batch.outputs.length} slots)`;
      }
    } else instances = buildInstances(input, proof.output);
    boundHash = instancesHash(instances);
    if (proofKey(roundRequestId, proof.proofHash, boundHash) !== record.proofKey) {
      problems.push(`the proof ${proof.proofHash} with ${slots ? "the batch's instances" : "input ‖ proven output"} does not rebuild the hub's proofKey ${record.proofKey}`);
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    problems.push(err.message);
  }
  if (valuesHash(proof.output) !== settled.outputHash) problems.push("the settled output is not the proven output");
  checks.push(
    problems.length
      ? { name: "instances", status: "fail", detail: problems.join("; ") }
      : { name: "instances", status: "pass", detail: `${input.length} input and ${proof.output.length} output values${slots} rebuild the hub's inputHash and proofKey; the settled output is the proven one` },
  );
  if (desc && !problems.length) checks.push(checkProof(desc, bundle.files.srs, proof.proof, instances));
  else checks.push({ name: "proof", status: "fail", detail: "not verified: an earlier check failed" });

  if (model.mode === VerificationMode.ZKML_ATTESTED) {
    const chainId = client.chain?.id ?? (await client.getChainId());
    checks.push(await checkAttestations(client, { addresses, chainId, timeline, proofHash: proof.proofHash, instancesHash: boundHash ?? "0x", quorumBps: p.quorumBps, roundRequestId }));
  }
  return report(model, output);
}
