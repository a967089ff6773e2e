/**
 * Gas benchmark of the protocol's hot paths, on the in-process Hardhat network (deterministic: same code, same
 * numbers). Run:
 *
 *   npx hardhat run bench/gas.ts
 *
 * Prints a table and writes bench/results/gas.json, which is committed and reviewed like a gas snapshot: a diff
 * in it is a change in what users pay. The protocol is deployed with the production Ignition module. Each figure is
 * printed next to the same step before the sound-incentives rules (bench/results/gas.base-9e7440c.json, this bench
 * run on commit 9e7440c), so the table shows what the rules cost per step.
 *
 * Measured, per request step: requestInference (from an EOA, no callbacks), submitResult (assigned executor; now
 * also draws the prover and moves the duty), submitProof for ZKML_ONCHAIN with the test-only verifier
 * TestOnlyInstanceCheckingVerifier (the hub's own cost, binding included; a real EZKL Halo2 verifier adds its
 * verification on top), the verifier call alone, commitProof for ZKML_ATTESTED (the proof's hash, bound to the
 * request and its prover; the bytes stay in the prover's proof store; record + event + open the round),
 * the votes of the quorum (2 of 3 equal-stake verification nodes, one AttestationQuorum.submitAttestations
 * transaction) and settle (its own step now; before, the last vote settled inside the attestation transaction); and
 * the per-item cost of each batch entry point at 1, 10, 50. Also with the example consumer's callbacks (the
 * figures the demo reports).
 *
 * Proof bytes: single-proof figures use PROOF_BYTES = 23,616 bytes, the size of EZKL v21's proof for the reference
 * MLP. Such calldata dominates: the EIP-7623 floor (since Prague) is 40 gas per non-zero byte, so a real-size proof
 * costs ~945k gas whatever the hub does. A transaction is limited to 128 KiB, so at most 5 real proofs fit one
 * submitProofs call; the batch rows use BATCH_PROOF_BYTES = 1,024-byte stand-ins to show the hub's per-item
 * overhead, and the real-size batch of 5 is measured separately. ZKML_ATTESTED sends no proof bytes to the hub
 * (commitProof / commitProofs): the settlement-at-scale table is printed next to the same table before that change
 * (SLICE1_BASE: this bench at e823622, where ZKML_ATTESTED proofs were calldata).
 *
 * Settlement at scale runs three paths from the same state, side by side: per request (a classify transaction per
 * request, votes signed alone, a settle per request), batched (classify per request, one signed root per node,
 * settleMany) and everything batched (one classifyBatch transaction for the n requests, i.e. requestInferences, then
 * as batched); next to SLICE2_BASE (this bench at 6f31da6, before batched requests and the lean record) and
 * SLICE3_BASE (this bench at 05d6883, before the lean settlement).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { network } from "hardhat";
import { type Hex, encodeAbiParameters, encodeFunctionData, keccak256, parseEther, parseEventLogs, toHex } from "viem";

import TwinpathModule from "../ignition/modules/Twinpath.js";
import { attestationBatchTypedData, attestationTypedData } from "../protocol/attestation.js";
import { buildAttestationBatch } from "../protocol/attestationBatch.js";
import { NodeRole, RequestStatus, VerificationMode } from "../protocol/enums.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { onchainRealRows } from "./lib/onchainBatch.js";

const TEST_VERIFIER = "TestOnlyInstanceCheckingVerifier";
const BASELINE = "gas.base-9e7440c.json";
const SLICE1_BASE = "gas.base-e823622.json";
/** This bench at 6f31da6 (batched votes and settlement, proof commitments; one classify transaction per request). */
const SLICE2_BASE = "gas.base-6f31da6.json";
/** This bench at 05d6883 (batched requests, the lean record), before the lean settlement: ballots in words, duties
 * netted per call, one proofKey, one slot per round, the consumer's 32 bits per request. */
const SLICE3_BASE = "gas.base-05d6883.json";
const PROOF_STORE = "https://prover.example/store";
const PROOF_BYTES = 23_616;
const BATCH_PROOF_BYTES = 1_024;
const BATCH_SIZES = [1, 10, 50] as const;
const REAL_PROOF_BATCH = 5;
/** Votes per submitAttestations transaction on the per-request path (the verification node's default batch). */
const SINGLE_VOTES_PER_TX = 16;
const INPUT = [651n, 448n, 179n, 26n]; // [5.1, 3.5, 1.4, 0.2] at scale 7
const OUTPUT = [1200n, -340n, -900n];
const { ZKML_ONCHAIN, ZKML_ATTESTED } = VerificationMode;
const { Executor: EXECUTOR, Prover: PROVER, Verifier: VERIFIER } = NodeRole;
const GAS_PRICE = 2_000_000_000n;
const SETTLED = RequestStatus.Settled;

const connection = await network.create();
const { ignition, viem, networkHelpers } = connection;
const publicClient = await viem.getPublicClient();
const wallets = await viem.getWalletClients();
const [, executorW, proverW, v1, v2, v3, consumerW] = wallets;
const chainId = await publicClient.getChainId();

const { inferenceHub, modelRegistry, nodeRegistry, attestationQuorum } = await ignition.deploy(TwinpathModule, {
  parameters: {
    Registries: { minStakeExecutor: parseEther("1"), minStakeProver: parseEther("1"), minStakeVerifier: parseEther("1") },
  },
});
const verifier = await viem.deployContract(TEST_VERIFIER);
const hubAs = async (w: (typeof wallets)[number]) => viem.getContractAt("InferenceHub", inferenceHub.address, { client: { wallet: w } });
const hub = { executor: await hubAs(executorW), prover: await hubAs(proverW), consumer: await hubAs(consumerW) };

// ---- setup: models (one node per role but the verification nodes, so every assignment is known) and nodes
const baseSpec = {
  onnxHash: keccak256(toHex("bench onnx")),
  settingsHash: keccak256(toHex("bench settings")),
  circuitHash: keccak256(toHex("bench circuit")),
  vkHash: keccak256(toHex("bench vk")),
  manifestHash: keccak256(toHex("bench manifest")),
  inputShape: [1, 4],
  outputShape: [1, 3],
  inputScale: 7,
  outputScale: 7,
  price: 0n,
  tolerance: 0n,
  inputLower: [-2048n, -2048n, -2048n, -2048n],
  inputUpper: [2047n, 2047n, 2047n, 2047n],
  batch: 1,
};
await modelRegistry.write.registerModel([{ ...baseSpec, mode: ZKML_ONCHAIN, verifier: verifier.address }]);
await modelRegistry.write.registerModel([{ ...baseSpec, mode: ZKML_ATTESTED, verifier: "0x0000000000000000000000000000000000000000" }]);
const MODEL_ONCHAIN = 1n;
const MODEL_ATTESTED = 2n;
/** ZKML_ATTESTED, a batch version: one committed proof covers up to ATTESTED_BATCH requests (commitBatchProof). */
const ATTESTED_BATCH = 16;
await modelRegistry.write.registerModel([
  { ...baseSpec, manifestHash: keccak256(toHex("bench manifest b16")), mode: ZKML_ATTESTED, verifier: "0x0000000000000000000000000000000000000000", batch: ATTESTED_BATCH },
]);
const MODEL_ATTESTED_B16 = 3n;

for (const [w, role] of [[executorW, EXECUTOR], [proverW, PROVER], [v1, VERIFIER], [v2, VERIFIER], [v3, VERIFIER]] as const) {
  const reg = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: w } });
  await reg.write.register([role], { value: parseEther("1") });
}
const iris = await viem.deployContract("IrisClassifierConsumer", [inferenceHub.address, MODEL_ATTESTED]);
const irisB16 = await viem.deployContract("IrisClassifierConsumer", [inferenceHub.address, MODEL_ATTESTED_B16]);

// ---- helpers
const FEE = parseEther("0.001");
const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 0, proofTimeout: 0 };

/** 21000 + 4 gas per zero byte + 16 per non-zero byte of calldata. */
function intrinsicGas(data: Hex): number {
  let gas = 21_000;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

async function gasOf(hash: Hex) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

async function request(model: bigint): Promise<{ id: bigint; gas: bigint }> {
  const value = (await inferenceHub.read.quoteFee([model, options, GAS_PRICE])) + FEE;
  const receipt = await gasOf(await hub.consumer.write.requestInference([model, INPUT, options], { value, gasPrice: GAS_PRICE }));
  const [e] = parseEventLogs({ abi: inferenceHub.abi, logs: receipt.logs, eventName: "InferenceRequested" });
  return { id: e.args.requestId, gas: receipt.gasUsed };
}

async function requests(model: bigint, n: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push((await request(model)).id);
  return ids;
}

// The test verifier accepts a proof whose first 32 bytes are keccak256(abi.encode(instances)); every request here
// has the same input and output, hence the same instances. The rest is padding to a real proof's size.
let instancesDigest: Hex | undefined;

function proofOf(bytes: number, salt: number): Hex {
  if (instancesDigest === undefined) throw new Error("instancesDigest not set");
  // Deterministic, mostly non-zero bytes, like a real proof's calldata.
  let out = instancesDigest as string;
  let x = (salt * 2654435761) >>> 0 || 1;
  for (let i = 32; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += ((x >>> 16) & 0xff | 1).toString(16).padStart(2, "0");
  }
  return out as Hex;
}

async function submitResultsBatch(ids: bigint[]) {
  return gasOf(await hub.executor.write.submitResults([ids, ids.map(() => OUTPUT)]));
}

async function submitProofsBatch(ids: bigint[], bytes: number) {
  const receipt = await gasOf(
    await hub.prover.write.submitProofs([ids, ids.map(() => INPUT), ids.map(() => OUTPUT), ids.map((id) => proofOf(bytes, Number(id)))]),
  );
  const rejected = parseEventLogs({ abi: inferenceHub.abi, logs: receipt.logs, eventName: "ItemRejected" });
  if (rejected.length) throw new Error(`submitProofs rejected ${rejected.length} items: ${rejected[0].args.reason}`);
  return receipt;
}

/** ZKML_ATTESTED: one commitProofs transaction (hashes of real-size proofs; the bytes stay in the prover's store). */
async function commitProofsBatch(ids: bigint[], bytes: number) {
  const hashes = ids.map((id) => keccak256(proofOf(bytes, Number(id))));
  const receipt = await gasOf(await hub.prover.write.commitProofs([ids, ids.map(() => INPUT), ids.map(() => OUTPUT), hashes, PROOF_STORE]));
  const rejected = parseEventLogs({ abi: inferenceHub.abi, logs: receipt.logs, eventName: "ItemRejected" });
  if (rejected.length) throw new Error(`commitProofs rejected ${rejected.length} items: ${rejected[0].args.reason}`);
  return receipt;
}

async function attestation(id: bigint, proofReceiptLogs: Parameters<typeof parseEventLogs>[0]["logs"], who: (typeof wallets)[number]) {
  const [p] = parseEventLogs({ abi: inferenceHub.abi, logs: proofReceiptLogs, eventName: "ProofSubmitted" }).filter(
    (e) => e.args.requestId === id,
  );
  const a = { requestId: id, proofHash: p.args.proofHash, instancesHash: p.args.instancesHash, valid: true };
  const signature = await who.signTypedData({ account: who.account, ...attestationTypedData(chainId, attestationQuorum.address, a) });
  return { a, signature };
}

async function submitAttestations(items: { a: { requestId: bigint; proofHash: Hex; instancesHash: Hex; valid: boolean }; signature: Hex }[]) {
  const receipt = await gasOf(await attestationQuorum.write.submitAttestations([items.map((i) => i.a), items.map((i) => i.signature)]));
  const recorded = parseEventLogs({ abi: attestationQuorum.abi, logs: receipt.logs, eventName: "AttestationRecorded" });
  if (recorded.length !== items.length) throw new Error(`the quorum recorded ${recorded.length} of ${items.length} votes`);
  return receipt;
}

async function settle(id: bigint) {
  const receipt = await gasOf(await hub.executor.write.settle([id, OUTPUT]));
  if ((await inferenceHub.read.status([id])) !== SETTLED) throw new Error(`settle(${id}) did not settle`);
  return receipt;
}

// ---- single-operation figures
const single: Record<string, number> = {};

// The first request and result for a model also fill the hub's per-model cache; they are recorded apart, and the
// steady-state figures are taken on later requests.
{
  const first = await request(MODEL_ONCHAIN);
  single.requestInference_firstForModel = Number(first.gas);
  instancesDigest = keccak256(
    encodeAbiParameters([{ type: "uint256[]" }], [await inferenceHub.read.expectedInstances([first.id, INPUT, OUTPUT])]),
  );
  await gasOf(await hub.executor.write.submitResult([first.id, OUTPUT]));
  await gasOf(await hub.prover.write.submitProof([first.id, INPUT, OUTPUT, proofOf(BATCH_PROOF_BYTES, 0)]));

  const { id, gas } = await request(MODEL_ONCHAIN);
  single.requestInference = Number(gas);
  single.submitResult = Number((await gasOf(await hub.executor.write.submitResult([id, OUTPUT]))).gasUsed);
  const real = await gasOf(await hub.prover.write.submitProof([id, INPUT, OUTPUT, proofOf(PROOF_BYTES, 1)]));
  if ((await inferenceHub.read.status([id])) !== SETTLED) throw new Error("ZKML_ONCHAIN proof did not settle");
  single.submitProof_onchain_realProof = Number(real.gasUsed);

  const second = await request(MODEL_ONCHAIN);
  await gasOf(await hub.executor.write.submitResult([second.id, OUTPUT]));
  const small = await gasOf(await hub.prover.write.submitProof([second.id, INPUT, OUTPUT, proofOf(BATCH_PROOF_BYTES, 2)]));
  single.submitProof_onchain_1KiBProof = Number(small.gasUsed);

  // The test verifier's own execution for these instances: a direct call with the bare 32-byte proof, minus the
  // transaction's intrinsic cost (21k + calldata). What the hub adds around it is in submitProof_onchain_1KiBProof.
  const instances = await inferenceHub.read.expectedInstances([id, INPUT, OUTPUT]);
  const args = [instancesDigest, instances] as const;
  const callGas = await publicClient.estimateContractGas({ address: verifier.address, abi: verifier.abi, functionName: "verifyProof", args: [...args] });
  const data = encodeFunctionData({ abi: verifier.abi, functionName: "verifyProof", args: [...args] });
  single.verifierCall_testVerifier = Number(callGas) - intrinsicGas(data);
}
{
  const first = await request(MODEL_ATTESTED);
  await gasOf(await hub.executor.write.submitResult([first.id, OUTPUT]));
  const { id } = await request(MODEL_ATTESTED);
  await gasOf(await hub.executor.write.submitResult([id, OUTPUT]));
  const receipt = await gasOf(await hub.prover.write.commitProof([id, INPUT, OUTPUT, keccak256(proofOf(PROOF_BYTES, 3)), PROOF_STORE]));
  single.commitProof_attested = Number(receipt.gasUsed);
  // Three verification nodes with equal stake: the quorum needs ceil(quorumBps * 3 / 10000) of them.
  const needed = Math.ceil((Number((await inferenceHub.read.parameters()).quorumBps) * 3) / 10_000);
  const items = [];
  for (const w of [v1, v2, v3].slice(0, needed)) items.push(await attestation(id, receipt.logs, w));
  single[`attestations_${needed}of3nodes`] = Number((await submitAttestations(items)).gasUsed);
  single.settle_attested = Number((await settle(id)).gasUsed);
  single[`attestationSettlement_${needed}of3nodes`] = single[`attestations_${needed}of3nodes`] + single.settle_attested;

}
{
  const ids = await requests(MODEL_ONCHAIN, REAL_PROOF_BATCH);
  await submitResultsBatch(ids);
  const r = await submitProofsBatch(ids, PROOF_BYTES);
  single[`submitProofs_${REAL_PROOF_BATCH}xRealProofs_perItem`] = Math.round(Number(r.gasUsed) / REAL_PROOF_BATCH);
}

// ---- one ZKML_ATTESTED request through the example consumer, callbacks included (what the demo measures)
const withCallbacks: Record<string, number> = {};
{
  const payment = await inferenceHub.read.quoteFee([MODEL_ATTESTED, await iris.read.requestOptions(), GAS_PRICE]);
  const asUser = await viem.getContractAt("IrisClassifierConsumer", iris.address, { client: { wallet: consumerW } });
  const r0 = await gasOf(await asUser.write.classify([[651n, 448n, 179n, 26n]], { value: payment + FEE, gasPrice: GAS_PRICE }));
  const [e] = parseEventLogs({ abi: inferenceHub.abi, logs: r0.logs, eventName: "InferenceRequested" });
  const id = e.args.requestId;
  withCallbacks.request = Number(r0.gasUsed);
  withCallbacks.result = Number((await gasOf(await hub.executor.write.submitResult([id, OUTPUT]))).gasUsed);
  const p = await gasOf(await hub.prover.write.commitProof([id, INPUT, OUTPUT, keccak256(proofOf(PROOF_BYTES, 9)), PROOF_STORE]));
  withCallbacks.proof = Number(p.gasUsed);
  const items = [];
  for (const w of [v1, v2]) items.push(await attestation(id, p.logs, w));
  withCallbacks.attestations = Number((await submitAttestations(items)).gasUsed);
  withCallbacks.settlement = Number((await settle(id)).gasUsed);
  withCallbacks.total = Object.values(withCallbacks).reduce((a, b) => a + b, 0);
}

// ---- batch entry points
// Each batch starts from this warm state (model cache filled, fee balances already non-zero), so batch of 1 and
// the single-call figures above are comparable and the difference is the batch machinery itself.
const fresh = await networkHelpers.takeSnapshot();
type BatchRow = { total: number; perItem: number };
const batches: Record<string, Record<number, BatchRow>> = { submitResults: {}, submitProofs: {}, submitAttestations: {}, settle: {} };
const row = (gas: bigint, n: number): BatchRow => ({ total: Number(gas), perItem: Math.round(Number(gas) / n) });

for (const n of BATCH_SIZES) {
  await fresh.restore();
  const ids = await requests(MODEL_ONCHAIN, n);
  batches.submitResults[n] = row((await submitResultsBatch(ids)).gasUsed, n);
  batches.submitProofs[n] = row((await submitProofsBatch(ids, BATCH_PROOF_BYTES)).gasUsed, n);
}
for (const n of BATCH_SIZES) {
  await fresh.restore();
  // One vote reaches the quorum here only with a single eligible verification node (the electorate is the
  // stake counted when the proof arrives, so the others leave before the requests).
  for (const w of [v2, v3]) {
    const reg = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: w } });
    await reg.write.beginUnbonding([VERIFIER, parseEther("1")]);
  }
  const ids = await requests(MODEL_ATTESTED, n);
  await submitResultsBatch(ids);
  const proofs = await commitProofsBatch(ids, PROOF_BYTES);
  const items = [];
  for (const id of ids) items.push(await attestation(id, proofs.logs, v1));
  batches.submitAttestations[n] = row((await submitAttestations(items)).gasUsed, n);
  let settleGas = 0n;
  for (const id of ids) settleGas += (await settle(id)).gasUsed;
  batches.settle[n] = row(settleGas, n);
}

// ---- settlement at scale: n ZKML_ATTESTED requests through IrisClassifierConsumer (callbacks included), settled
// by 2 of 3 verification nodes, per-request path next to the batched one, from the same state.
// Both paths share the request, result and proof steps (each request its own classify transaction, results in one
// submitResults, the commitments to real-size proofs in one commitProofs); they differ in the votes and the settlement:
//   per-request: each vote signed alone (submitAttestations, 16 per transaction) and one settle transaction per request;
//   batched: each node signs one root over the n verdicts (submitAttestationBatch) and settleMany settles all n.
type ScaleRow = { request: number; result: number; proof: number; votes: number; settle: number; total: number; totalWithoutProof: number };
const SCALE_PATHS = ["perRequest", "batched", "batchedRequests"] as const;
type ScalePath = (typeof SCALE_PATHS)[number];
const scale: Record<ScalePath, Record<number, ScaleRow>> = { perRequest: {}, batched: {}, batchedRequests: {} };
/** batchedRequests with the proofs of a batch-16 version (commitBatchProof): kept apart from SCALE_PATHS, which the
 * older result files are compared along. */
const attestedBatchProofs: Record<number, ScaleRow> = {};
const irisAsUser = await viem.getContractAt("IrisClassifierConsumer", iris.address, { client: { wallet: consumerW } });
const irisB16AsUser = await viem.getContractAt("IrisClassifierConsumer", irisB16.address, { client: { wallet: consumerW } });
const FEATURES = [651n, 448n, 179n, 26n] as const;

/** n classify transactions (the per-request path). */
async function classifyEach(n: number, payment: bigint) {
  const ids: bigint[] = [];
  let gas = 0n;
  for (let i = 0; i < n; i++) {
    const r = await gasOf(await irisAsUser.write.classify([FEATURES], { value: payment, gasPrice: GAS_PRICE }));
    const [e] = parseEventLogs({ abi: inferenceHub.abi, logs: r.logs, eventName: "InferenceRequested" });
    ids.push(e.args.requestId);
    gas += r.gasUsed;
  }
  return { ids, gas };
}

/** One classifyBatch transaction for n flowers, each paying its own quote (requestInferences underneath). */
async function classifyBatch(n: number, payment: bigint, consumer = irisAsUser) {
  const r = await gasOf(
    await consumer.write.classifyBatch([Array.from({ length: n }, () => FEATURES), Array.from({ length: n }, () => payment)], {
      value: payment * BigInt(n),
      gasPrice: GAS_PRICE,
    }),
  );
  const ids = parseEventLogs({ abi: inferenceHub.abi, logs: r.logs, eventName: "InferenceRequested" }).map((e) => e.args.requestId);
  if (ids.length !== n) throw new Error(`classifyBatch recorded ${ids.length} of ${n} requests`);
  return { ids, gas: r.gasUsed };
}

/**
 * Each of 2 nodes signs one root over its verdicts; settleMany settles all n. `rounds`: the requests the proofs'
 * rounds are keyed by (each request's own; a batch proof's first request for all of its requests).
 */
async function batchVotesAndSettle(ids: bigint[], proofLogs: Parameters<typeof parseEventLogs>[0]["logs"], rounds: bigint[] = ids) {
  let votes = 0n;
  for (const w of [v1, v2]) {
    const items = [];
    for (const id of rounds) items.push((await attestation(id, proofLogs, w)).a);
    const tree = buildAttestationBatch(items);
    const signature = await w.signTypedData({ account: w.account, ...attestationBatchTypedData(chainId, attestationQuorum.address, tree.root) });
    const receipt = await gasOf(await attestationQuorum.write.submitAttestationBatch([tree.root, signature, tree.votes]));
    const recorded = parseEventLogs({ abi: attestationQuorum.abi, logs: receipt.logs, eventName: "AttestationRecorded" });
    if (recorded.length !== rounds.length) throw new Error(`the quorum recorded ${recorded.length} of ${rounds.length} batch votes`);
    votes += receipt.gasUsed;
  }
  const receipt = await gasOf(await hub.executor.write.settleMany([ids, ids.map(() => OUTPUT)]));
  for (const id of ids) if ((await inferenceHub.read.status([id])) !== SETTLED) throw new Error(`settleMany did not settle ${id}`);
  return { votes, settle: receipt.gasUsed };
}

/**
 * ZKML_ATTESTED batch proofs: one commitBatchProof per ATTESTED_BATCH requests (the last one partial, its padded slots'
 * outputs in BatchProofCommitted), each opening one round for its requests. Returns the gas and the logs (each
 * request's ProofSubmitted, for the votes).
 */
async function commitBatchProofs(ids: bigint[]) {
  let gas = 0n;
  const logs: Parameters<typeof parseEventLogs>[0]["logs"] = [];
  for (let i = 0; i < ids.length; i += ATTESTED_BATCH) {
    const slots = ids.slice(i, i + ATTESTED_BATCH);
    const outputs = Array.from({ length: ATTESTED_BATCH }, () => OUTPUT);
    const receipt = await gasOf(await hub.prover.write.commitBatchProof([slots, slots.map(() => INPUT), outputs, keccak256(toHex(`batch ${i}`)), PROOF_STORE]));
    gas += receipt.gasUsed;
    logs.push(...receipt.logs);
  }
  return { gas, logs };
}

function scaleRow(n: number, g: { request: bigint; result: bigint; proof: bigint; votes: bigint; settle: bigint }): ScaleRow {
  const perReq = (x: bigint) => Math.round(Number(x) / n);
  const total = g.request + g.result + g.proof + g.votes + g.settle;
  return {
    request: perReq(g.request),
    result: perReq(g.result),
    proof: perReq(g.proof),
    votes: perReq(g.votes),
    settle: perReq(g.settle),
    total: perReq(total),
    totalWithoutProof: perReq(total - g.proof),
  };
}

for (const n of BATCH_SIZES) {
  await fresh.restore();
  const payment = (await inferenceHub.read.quoteFee([MODEL_ATTESTED, await iris.read.requestOptions(), GAS_PRICE])) + FEE;
  const { ids, gas: requestGas } = await classifyEach(n, payment);
  const resultGas = (await submitResultsBatch(ids)).gasUsed;
  const committed = await commitProofsBatch(ids, PROOF_BYTES);
  const proofLogs: Parameters<typeof parseEventLogs>[0]["logs"] = [...committed.logs];
  const proven = await networkHelpers.takeSnapshot();
  const shared = { request: requestGas, result: resultGas, proof: committed.gasUsed };
  {
    let votes = 0n;
    for (const w of [v1, v2]) {
      const items = [];
      for (const id of ids) items.push(await attestation(id, proofLogs, w));
      for (let i = 0; i < n; i += SINGLE_VOTES_PER_TX) votes += (await submitAttestations(items.slice(i, i + SINGLE_VOTES_PER_TX))).gasUsed;
    }
    let settleGas = 0n;
    for (const id of ids) settleGas += (await settle(id)).gasUsed;
    scale.perRequest[n] = scaleRow(n, { ...shared, votes, settle: settleGas });
  }
  await proven.restore();
  scale.batched[n] = scaleRow(n, { ...shared, ...(await batchVotesAndSettle(ids, proofLogs)) });

  // every step batched: the n requests in one classifyBatch transaction, from the same state as the others
  await fresh.restore();
  const batch = await classifyBatch(n, payment);
  const batchResult = (await submitResultsBatch(batch.ids)).gasUsed;
  const batchCommitted = await commitProofsBatch(batch.ids, PROOF_BYTES);
  const settled = await batchVotesAndSettle(batch.ids, [...batchCommitted.logs]);
  scale.batchedRequests[n] = scaleRow(n, { request: batch.gas, result: batchResult, proof: batchCommitted.gasUsed, ...settled });

  // and the proofs of a batch-16 version: one commitment per 16 requests instead of one per request
  await fresh.restore();
  const b16 = await classifyBatch(n, (await inferenceHub.read.quoteFee([MODEL_ATTESTED_B16, await irisB16.read.requestOptions(), GAS_PRICE])) + FEE, irisB16AsUser);
  const b16Result = (await submitResultsBatch(b16.ids)).gasUsed;
  const b16Committed = await commitBatchProofs(b16.ids);
  // one round per batch proof, keyed by its first request: one vote per node per 16 requests
  const b16Settled = await batchVotesAndSettle(b16.ids, b16Committed.logs, b16.ids.filter((_, i) => i % ATTESTED_BATCH === 0));
  attestedBatchProofs[n] = scaleRow(n, { request: b16.gas, result: b16Result, proof: b16Committed.gas, ...b16Settled });
}

// ---- ZKML_ONCHAIN with real proofs and the Solidity Halo2 verifier: per request next to batch proofs (N = 16)
const ONCHAIN_REQUESTS = 32;
const ONCHAIN_BATCH = 16;
const onchainRealProofs = await onchainRealRows(
  {
    viem,
    publicClient,
    networkHelpers,
    hubAddress: inferenceHub.address,
    hubAbi: inferenceHub.abi,
    modelRegistry,
    deployer: wallets[0],
    executor: executorW,
    prover: proverW,
    user: consumerW,
    gasPrice: GAS_PRICE,
  },
  ONCHAIN_REQUESTS,
  ONCHAIN_BATCH,
);

// ---- bytecode sizes
const bytecode: Record<string, number> = {};
for (const [name, address] of [
  ["InferenceHub", inferenceHub.address],
  ["AttestationQuorum", attestationQuorum.address],
  ["ModelRegistry", modelRegistry.address],
  ["NodeRegistry", nodeRegistry.address],
] as const) {
  const code = await publicClient.getCode({ address });
  bytecode[name] = code ? (code.length - 2) / 2 : 0;
}
for (const library of ["HubRequests", "HubLogic", "HubParameters", "HubViews"]) {
  const artifact = JSON.parse(await readFile(join(REPO_ROOT, `artifacts/contracts/hub/${library}.sol/${library}.json`), "utf8"));
  bytecode[library] = (artifact.deployedBytecode.length - 2) / 2;
}

// ---- side by side with the base commit
const base = JSON.parse(await readFile(join(REPO_ROOT, "bench", "results", BASELINE), "utf8")) as { single: Record<string, number>; batches: Record<string, Record<string, BatchRow>>; bytecode: Record<string, number> };
const steps: [string, string, number][] = [
  ["request (EOA, no callbacks)", "requestInference", single.requestInference],
  ["result", "submitResult", single.submitResult],
  ["proof, ZKML_ONCHAIN (1 KiB, test verifier)", "submitProof_onchain_1KiBProof", single.submitProof_onchain_1KiBProof],
  ["proof, ZKML_ATTESTED (base: 23.6 KB of calldata; now: the commitment)", "submitProof_attested_realProof", single.commitProof_attested],
  ["attestations + settlement (2 of 3 nodes)", "attestationSettlement_2of3nodes", single.attestationSettlement_2of3nodes],
  ["  of which the votes (one tx)", "", single.attestations_2of3nodes],
  ["  of which settle (its own tx)", "", single.settle_attested],
];
const sideBySide = Object.fromEntries(
  steps.map(([label, key, now]) => {
    const was = key ? base.single[key] : undefined;
    return [label, { "base 9e7440c": was ?? "", now, delta: was === undefined ? "" : now - was }];
  }),
);

// ---- report
const result = {
  description:
    "Gas per operation on the in-process Hardhat network (npx hardhat run bench/gas.ts). See bench/gas.ts for what each figure includes; baseline: " +
    BASELINE,
  network: { chainId, hardfork: String((connection.networkConfig as { hardfork?: string }).hardfork ?? "default") },
  proofBytes: PROOF_BYTES,
  batchProofBytes: BATCH_PROOF_BYTES,
  single,
  withCallbacks,
  batches,
  settlementAtScale: scale,
  attestedBatchProofs: { batch: ATTESTED_BATCH, perSettledRequest: attestedBatchProofs },
  onchainRealProofs,
  bytecode,
  slice1Base: SLICE1_BASE,
  slice2Base: SLICE2_BASE,
  slice3Base: SLICE3_BASE,
};

console.log(`\nPer step, next to the base commit (gas; ${BASELINE})`);
console.table(sideBySide);
console.log("One ZKML_ATTESTED request through IrisClassifierConsumer, callbacks included (gas)");
console.table(Object.fromEntries(Object.entries(withCallbacks).map(([k, v]) => [k, { gas: v }])));
console.log("Single operations (gas)");
console.table(Object.fromEntries(Object.entries(single).map(([k, v]) => [k, { now: v, "base 9e7440c": base.single[k] ?? "" }])));
console.log(`Batch entry points (gas; batch proofs are ${BATCH_PROOF_BYTES}-byte stand-ins)`);
console.table(
  Object.fromEntries(
    Object.entries(batches).flatMap(([name, rows]) =>
      Object.entries(rows).map(([n, r]) => [`${name} x${n}`, { ...r, "base perItem": base.batches[name]?.[n]?.perItem ?? "" }]),
    ),
  ),
);
console.log(`Settlement at scale: gas per settled ZKML_ATTESTED request through IrisClassifierConsumer, callbacks included (${PROOF_BYTES}-byte proofs, committed by hash), 2 of 3 nodes`);
console.log("  perRequest: classify each, votes signed alone, settle each; batched: classify each, one signed root per node, settleMany; batchedRequests: classifyBatch, then as batched");
console.table(
  Object.fromEntries(
    BATCH_SIZES.flatMap((n) =>
      SCALE_PATHS.map((k) => [`${k} x${n}`, { ...scale[k][n], "total vs perRequest": (scale[k][n].total / scale.perRequest[n].total).toFixed(2) }]),
    ),
  ),
);
console.log(`ZKML_ATTESTED batch proofs (a batch-${ATTESTED_BATCH} version, one commitBatchProof per ${ATTESTED_BATCH} requests) next to batchedRequests (one commitment per request), same run; gas per settled request`);
console.table(
  Object.fromEntries(
    BATCH_SIZES.flatMap((n) => [
      [`batchedRequests x${n}`, { ...scale.batchedRequests[n] }],
      [`batch-${ATTESTED_BATCH} proofs x${n}`, { ...attestedBatchProofs[n], "total vs batchedRequests": (attestedBatchProofs[n].total / scale.batchedRequests[n].total).toFixed(2) }],
    ]),
  ),
);
// ---- settlement at scale next to slice 1 (proof bytes as calldata), the committed output of this bench at e823622
const slice1 = JSON.parse(await readFile(join(REPO_ROOT, "bench", "results", SLICE1_BASE), "utf8")) as { settlementAtScale: typeof scale };
console.log(`Settlement at scale, batched path: proof bytes off the hub's calldata (now) next to proof bytes as calldata (${SLICE1_BASE}); gas per settled request`);
console.table(
  Object.fromEntries(
    BATCH_SIZES.flatMap((n) => {
      const was = slice1.settlementAtScale.batched[n];
      const now = scale.batched[n];
      return [
        [`calldata x${n}`, { ...was }],
        [`commitment x${n}`, { ...now, "total vs calldata": (now.total / was.total).toFixed(2) }],
      ];
    }),
  ),
);
// ---- settlement at scale next to slice 2 (one classify per request, the consumer storing scores), at 6f31da6
const slice2 = JSON.parse(await readFile(join(REPO_ROOT, "bench", "results", SLICE2_BASE), "utf8")) as { settlementAtScale: Record<"perRequest" | "batched", typeof scale.batched> };
console.log(`Settlement at scale next to ${SLICE2_BASE} (its per-request and batched paths); gas per settled request`);
console.table(
  Object.fromEntries(
    BATCH_SIZES.flatMap((n) => {
      const was = slice2.settlementAtScale.batched[n];
      return [
        [`6f31da6 perRequest x${n}`, { ...slice2.settlementAtScale.perRequest[n] }],
        [`6f31da6 batched x${n}`, { ...was }],
        ...SCALE_PATHS.map((k) => [`now ${k} x${n}`, { ...scale[k][n], "total vs 6f31da6 batched": (scale[k][n].total / was.total).toFixed(2) }]),
      ];
    }),
  ),
);
// ---- settlement at scale next to slice 3 (before the lean settlement), at 05d6883
const slice3 = JSON.parse(await readFile(join(REPO_ROOT, "bench", "results", SLICE3_BASE), "utf8")) as { settlementAtScale: typeof scale; bytecode: Record<string, number> };
console.log(`Settlement at scale next to ${SLICE3_BASE} (before the lean settlement), every path; gas per settled request`);
console.table(
  Object.fromEntries(
    BATCH_SIZES.flatMap((n) =>
      SCALE_PATHS.flatMap((k) => {
        const was = slice3.settlementAtScale[k][n];
        return [
          [`05d6883 ${k} x${n}`, { ...was }],
          [`now ${k} x${n}`, { ...scale[k][n], "total vs 05d6883": (scale[k][n].total / was.total).toFixed(2) }],
        ];
      }),
    ),
  ),
);
console.log(
  `ZKML_ONCHAIN, real EZKL proofs and the Solidity Halo2 verifier: ${ONCHAIN_REQUESTS} iris-mlp requests through IrisClassifierConsumer, callbacks included ` +
    `(proof ${onchainRealProofs.proofBytes.perRequest} B per request; batch-${ONCHAIN_BATCH} proof ${onchainRealProofs.proofBytes.batchProof} B, ${onchainRealProofs.batchInstances} instances)`,
);
console.table(
  Object.fromEntries(
    (["perRequest", "batchProof", "batchedAll", "partialBatch"] as const).map((k) => [
      k,
      { ...onchainRealProofs[k], "vs perRequest": (onchainRealProofs[k].perSettledRequest / onchainRealProofs.perRequest.perSettledRequest).toFixed(2) },
    ]),
  ),
);
console.log("Deployed bytecode (bytes; EIP-170 limit 24576)");
console.table(Object.fromEntries(Object.entries(bytecode).map(([k, v]) => [k, { bytes: v, "05d6883": slice3.bytecode[k] ?? "", "base 9e7440c": base.bytecode[k] ?? "" }])));

const out = join(REPO_ROOT, "bench", "results", "gas.json");
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${out}`);
