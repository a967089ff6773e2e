/**
 * Gas benchmark of the protocol's hot paths, on the in-process Hardhat network (deterministic: same code, same
 * numbers). Run:
 *
 *   npx hardhat run bench/gas.ts
 *
 * Prints a table and writes bench/results/gas.json, which is committed and reviewed like a gas snapshot: a diff
 * in it is a change in what users pay. The protocol is deployed with the production Ignition module.
 *
 * Measured: requestInference, submitResult, submitProof (ZKML_ONCHAIN with the test-only verifier
 * TestOnlyInstanceCheckingVerifier, whose "proof" is keccak256(abi.encode(instances)) followed by padding: the
 * figure is the hub's own cost, binding included; a real EZKL Halo2 verifier adds its verification cost on top),
 * the verifier call alone, submitProof for ZKML_ATTESTED (record + publish), attestation settlement (the quorum of
 * 3 equal-stake verification nodes, one transaction), and the per-item cost of each batch entry point at 1, 10, 50.
 *
 * Proof bytes: single-proof figures use PROOF_BYTES = 23,616 bytes, the size of EZKL v21's proof for the reference
 * MLP (shared/ezkl/vectors/mlp/proof.json). Such calldata dominates: the EIP-7623 floor (since Prague) is 40 gas
 * per non-zero byte, so a real-size proof costs ~945k gas whatever the hub does (submitProof_realProof_calldataFloor
 * shows it equals the gas used). A transaction is limited to 128 KiB, so at most 5 real proofs fit one
 * submitProofs call; the batch rows use BATCH_PROOF_BYTES = 1,024-byte stand-ins to show the hub's per-item
 * overhead, and the real-size batch of 5 is measured separately.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { network } from "hardhat";
import { type Hex, encodeAbiParameters, encodeFunctionData, keccak256, parseEther, parseEventLogs, toHex } from "viem";

import TwinpathModule from "../ignition/modules/Twinpath.js";
import { attestationTypedData } from "../protocol/attestation.js";
import { NodeRole, VerificationMode } from "../protocol/enums.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

const TEST_VERIFIER = "TestOnlyInstanceCheckingVerifier";
const PROOF_BYTES = 23_616;
const BATCH_PROOF_BYTES = 1_024;
const BATCH_SIZES = [1, 10, 50] as const;
const REAL_PROOF_BATCH = 5;
const INPUT = [651n, 448n, 179n, 26n]; // [5.1, 3.5, 1.4, 0.2] at scale 7
const OUTPUT = [1200n, -340n, -900n];
const { ZKML_ONCHAIN, ZKML_ATTESTED } = VerificationMode;
const { Executor: EXECUTOR, Prover: PROVER, Verifier: VERIFIER } = NodeRole;

const connection = await network.create();
const { ignition, viem, networkHelpers } = connection;
const publicClient = await viem.getPublicClient();
const wallets = await viem.getWalletClients();
const [deployer, executorW, proverW, v1, v2, v3, consumerW] = wallets;
const chainId = await publicClient.getChainId();

const { inferenceHub, modelRegistry, nodeRegistry } = await ignition.deploy(TwinpathModule, {
  parameters: {
    Registries: { minStakeExecutor: parseEther("1"), minStakeProver: parseEther("1"), minStakeVerifier: parseEther("1") },
  },
});
const verifier = await viem.deployContract(TEST_VERIFIER);
const as = <C extends { address: Hex }>(name: "InferenceHub" | "NodeRegistry", c: C, w: (typeof wallets)[number]) =>
  viem.getContractAt(name as "InferenceHub", c.address, { client: { wallet: w } });
const hubAs = {
  executor: await as("InferenceHub", inferenceHub, executorW),
  prover: await as("InferenceHub", inferenceHub, proverW),
  consumer: await as("InferenceHub", inferenceHub, consumerW),
};

// ---- setup: models and nodes
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
};
await modelRegistry.write.registerModel([{ ...baseSpec, mode: ZKML_ONCHAIN, verifier: verifier.address }]);
await modelRegistry.write.registerModel([{ ...baseSpec, mode: ZKML_ATTESTED, verifier: "0x0000000000000000000000000000000000000000" }]);
const MODEL_ONCHAIN = 1n;
const MODEL_ATTESTED = 2n;

for (const [w, role] of [[executorW, EXECUTOR], [proverW, PROVER], [v1, VERIFIER], [v2, VERIFIER], [v3, VERIFIER]] as const) {
  const reg = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: w } });
  await reg.write.register([role], { value: parseEther("1") });
}

// ---- helpers
const FEE = parseEther("0.001");
const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 0, proofTimeout: 0 };

const SETTLED = 4; // RequestStatus.Settled

/** 21000 + 4 gas per zero byte + 16 per non-zero byte of calldata. */
function intrinsicGas(data: Hex): number {
  let gas = 21_000;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

/** EIP-7623 (Prague) floor: 21000 + 10 gas per calldata token (zero byte = 1 token, non-zero = 4). */
async function calldataFloor(hash: Hex): Promise<number> {
  const { input } = await publicClient.getTransaction({ hash });
  let tokens = 0;
  for (let i = 2; i < input.length; i += 2) tokens += input.slice(i, i + 2) === "00" ? 1 : 4;
  return 21_000 + 10 * tokens;
}

async function gasOf(hash: Hex) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

async function request(model: bigint): Promise<{ id: bigint; gas: bigint }> {
  const receipt = await gasOf(await hubAs.consumer.write.requestInference([model, INPUT, options], { value: FEE }));
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
  return gasOf(await hubAs.executor.write.submitResults([ids, ids.map(() => OUTPUT)]));
}

async function submitProofsBatch(ids: bigint[], bytes: number) {
  const receipt = await gasOf(
    await hubAs.prover.write.submitProofs([ids, ids.map(() => INPUT), ids.map(() => OUTPUT), ids.map((id) => proofOf(bytes, Number(id)))]),
  );
  const rejected = parseEventLogs({ abi: inferenceHub.abi, logs: receipt.logs, eventName: "ItemRejected" });
  if (rejected.length) throw new Error(`submitProofs rejected ${rejected.length} items: ${rejected[0].args.reason}`);
  return receipt;
}

async function attestation(id: bigint, proofReceiptLogs: Parameters<typeof parseEventLogs>[0]["logs"], who: (typeof wallets)[number]) {
  const [p] = parseEventLogs({ abi: inferenceHub.abi, logs: proofReceiptLogs, eventName: "ProofSubmitted" }).filter(
    (e) => e.args.requestId === id,
  );
  const a = { requestId: id, proofHash: p.args.proofHash, instancesHash: p.args.instancesHash, valid: true };
  const signature = await who.signTypedData({ account: who.account, ...attestationTypedData(chainId, inferenceHub.address, a) });
  return { a, signature };
}

async function submitAttestations(items: { a: { requestId: bigint; proofHash: Hex; instancesHash: Hex; valid: boolean }; signature: Hex }[]) {
  const receipt = await gasOf(await hubAs.executor.write.submitAttestations([items.map((i) => i.a), items.map((i) => i.signature)]));
  const settled = parseEventLogs({ abi: inferenceHub.abi, logs: receipt.logs, eventName: "RequestSettled" });
  return { receipt, settled: settled.length };
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
  await gasOf(await hubAs.executor.write.submitResult([first.id, OUTPUT]));
  await gasOf(await hubAs.prover.write.submitProof([first.id, INPUT, OUTPUT, proofOf(BATCH_PROOF_BYTES, 0)]));

  const { id, gas } = await request(MODEL_ONCHAIN);
  single.requestInference = Number(gas);
  single.submitResult = Number((await gasOf(await hubAs.executor.write.submitResult([id, OUTPUT]))).gasUsed);
  const realProof = proofOf(PROOF_BYTES, 1);
  const real = await gasOf(await hubAs.prover.write.submitProof([id, INPUT, OUTPUT, realProof]));
  if ((await inferenceHub.read.status([id])) !== SETTLED) throw new Error("ZKML_ONCHAIN proof did not settle");
  single.submitProof_onchain_realProof = Number(real.gasUsed);
  single.submitProof_realProof_calldataFloor = await calldataFloor(real.transactionHash);

  const second = await request(MODEL_ONCHAIN);
  await gasOf(await hubAs.executor.write.submitResult([second.id, OUTPUT]));
  const small = await gasOf(await hubAs.prover.write.submitProof([second.id, INPUT, OUTPUT, proofOf(BATCH_PROOF_BYTES, 2)]));
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
  await gasOf(await hubAs.executor.write.submitResult([first.id, OUTPUT]));
  const { id } = await request(MODEL_ATTESTED);
  await gasOf(await hubAs.executor.write.submitResult([id, OUTPUT]));
  const receipt = await gasOf(await hubAs.prover.write.submitProof([id, INPUT, OUTPUT, proofOf(PROOF_BYTES, 3)]));
  single.submitProof_attested_realProof = Number(receipt.gasUsed);
  // Three verification nodes with equal stake: the quorum needs ceil(quorumBps * 3 / 10000) of them.
  const needed = Math.ceil((Number((await inferenceHub.read.parameters()).quorumBps) * 3) / 10_000);
  const items = [];
  for (const w of [v1, v2, v3].slice(0, needed)) items.push(await attestation(id, receipt.logs, w));
  const { receipt: r, settled } = await submitAttestations(items);
  if (settled !== 1) throw new Error(`${needed} of 3 attestations did not settle the request`);
  single[`attestationSettlement_${needed}of3nodes`] = Number(r.gasUsed);

  const second = await request(MODEL_ATTESTED);
  await gasOf(await hubAs.executor.write.submitResult([second.id, OUTPUT]));
  const small = await gasOf(await hubAs.prover.write.submitProof([second.id, INPUT, OUTPUT, proofOf(BATCH_PROOF_BYTES, 4)]));
  single.submitProof_attested_1KiBProof = Number(small.gasUsed);
}
{
  const ids = await requests(MODEL_ONCHAIN, REAL_PROOF_BATCH);
  await submitResultsBatch(ids);
  const r = await submitProofsBatch(ids, PROOF_BYTES);
  single[`submitProofs_${REAL_PROOF_BATCH}xRealProofs_perItem`] = Math.round(Number(r.gasUsed) / REAL_PROOF_BATCH);
}

// ---- batch entry points
// Each batch starts from this warm state (model cache filled, fee balances already non-zero), so batch of 1 and
// the single-call figures above are comparable and the difference is the batch machinery itself.
const fresh = await networkHelpers.takeSnapshot();
type BatchRow = { total: number; perItem: number };
const batches: Record<string, Record<number, BatchRow>> = { submitResults: {}, submitProofs: {}, submitAttestations: {} };
const row = (gas: bigint, n: number): BatchRow => ({ total: Number(gas), perItem: Math.round(Number(gas) / n) });

for (const n of BATCH_SIZES) {
  await fresh.restore();
  const ids = await requests(MODEL_ONCHAIN, n);
  batches.submitResults[n] = row((await submitResultsBatch(ids)).gasUsed, n);
  batches.submitProofs[n] = row((await submitProofsBatch(ids, BATCH_PROOF_BYTES)).gasUsed, n);
}
for (const n of BATCH_SIZES) {
  await fresh.restore();
  // One eligible verification node, so each attestation reaches the quorum and settles its request.
  for (const w of [v2, v3]) {
    const reg = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: w } });
    await reg.write.beginUnbonding([VERIFIER, parseEther("1")]);
  }
  const ids = await requests(MODEL_ATTESTED, n);
  await submitResultsBatch(ids);
  const proofs = await submitProofsBatch(ids, BATCH_PROOF_BYTES);
  const items = [];
  for (const id of ids) items.push(await attestation(id, proofs.logs, v1));
  const { receipt, settled } = await submitAttestations(items);
  if (settled !== n) throw new Error(`submitAttestations settled ${settled} of ${n}`);
  batches.submitAttestations[n] = row(receipt.gasUsed, n);
}

// ---- bytecode sizes
const bytecode: Record<string, number> = {};
for (const [name, address] of [
  ["InferenceHub", inferenceHub.address],
  ["ModelRegistry", modelRegistry.address],
  ["NodeRegistry", nodeRegistry.address],
] as const) {
  const code = await publicClient.getCode({ address });
  bytecode[name] = code ? (code.length - 2) / 2 : 0;
}

// ---- report
const result = {
  description: "Gas per operation on the in-process Hardhat network (npx hardhat run bench/gas.ts). See bench/gas.ts for what each figure includes.",
  network: { chainId, hardfork: String((connection.networkConfig as { hardfork?: string }).hardfork ?? "default") },
  proofBytes: PROOF_BYTES,
  batchProofBytes: BATCH_PROOF_BYTES,
  single,
  batches,
  bytecode,
};

console.log("\nSingle operations (gas)");
console.table(Object.fromEntries(Object.entries(single).map(([k, v]) => [k, { gas: v }])));
console.log(`Batch entry points (gas; batch proofs are ${BATCH_PROOF_BYTES}-byte stand-ins)`);
console.table(
  Object.fromEntries(
    Object.entries(batches).flatMap(([name, rows]) =>
      Object.entries(rows).map(([n, r]) => [`${name} x${n}`, r]),
    ),
  ),
);
console.log("Deployed bytecode (bytes; EIP-170 limit 24576)");
console.table(Object.fromEntries(Object.entries(bytecode).map(([k, v]) => [k, { bytes: v }])));

const out = join(REPO_ROOT, "bench", "results", "gas.json");
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Wrote ${out}`);
