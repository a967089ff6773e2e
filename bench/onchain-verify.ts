/**
 * On-chain Halo2 verification benchmark (in-process Hardhat network, deterministic gas):
 *
 *   npx hardhat run bench/onchain-verify.ts
 *
 * Per demo model, and a MaxPool + Softmax circuit that uses EZKL's shuffle arguments, with a real engine proof (cached under .twinpath/halo2/): gas of Halo2Verifier.verifyProof called
 * directly (a transaction's gas: intrinsic + calldata + execution) and through the adapter, submitProof in
 * ZKML_ONCHAIN mode (binding + verification + settlement), submitProofs with 1, 2 and 5 real proofs, against the
 * attestation path (submitProof in ZKML_ATTESTED mode with the same proof bytes, plus the quorum settlement figure
 * from bench/results/gas.json). Also deployment gas and sizes, and TS verify time vs engine verify time.
 * Writes bench/results/onchain-verify.json and prints a table.
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { network } from "hardhat";
import { encodeFunctionData, parseEther, parseEventLogs, type Hex } from "viem";

import TwinpathModule from "../ignition/modules/Twinpath.js";
import { FR_MODULUS } from "../halo2/field.js";
import { generateVerifierArtifacts } from "../halo2/solidity/generate.js";
import { deployVerifierArtifacts } from "../halo2/solidity/deploy.js";
import { verifyProof as tsVerify } from "../halo2/verify/verifier.js";
import { engineVerify } from "../testkit/halo2/engine.js";
import { hex, loadModelCase, loadShuffleModelCase, SKIP_MODELS } from "../testkit/halo2/corpus.js";
import { SHUFFLE_CIRCUIT_NAMES, type ShuffleCircuitName } from "../testkit/halo2/shuffle-circuit.js";
import { NodeRole, VerificationMode } from "../protocol/enums.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

// Shuffle circuits compiled by compiler/ (EZKL shuffle arguments): pool-softmax (Conv → MaxPool → Gemm → Softmax,
// 16 inputs, k=10) and cnn-pool2 (conv–pool–conv–pool–fc–softmax on 8×8, k=13; compiling it takes minutes, cached).
const MODELS = (process.env.ONCHAIN_BENCH_MODELS ?? "iris-mlp,iris-cnn,iris-deep,pool-softmax,cnn-pool2").split(",");
const BATCHES = [1, 2, 5] as const;
const TIMING_ITERATIONS = Number(process.env.ONCHAIN_BENCH_ITERATIONS ?? 5);
const { ZKML_ONCHAIN, ZKML_ATTESTED } = VerificationMode;
const { Executor: EXECUTOR, Prover: PROVER, Verifier: VERIFIER } = NodeRole;

if (SKIP_MODELS) throw new Error(`bench/onchain-verify: ${SKIP_MODELS}`);

const { ignition, viem } = await network.create();
const publicClient = await viem.getPublicClient();
const wallets = await viem.getWalletClients();
const [deployer, executorW, proverW, consumerW, verifierW] = wallets;
const clients = { walletClient: deployer as never, publicClient: publicClient as never };

const { inferenceHub, modelRegistry, nodeRegistry } = await ignition.deploy(TwinpathModule, {
  parameters: { Registries: { minStakeExecutor: parseEther("1"), minStakeProver: parseEther("1"), minStakeVerifier: parseEther("1") } },
});
// a verifier too: the hub refuses ZKML_ATTESTED requests while no verifier stake is eligible
for (const [w, role] of [[executorW, EXECUTOR], [proverW, PROVER], [verifierW, VERIFIER]] as const) {
  const reg = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: w } });
  await reg.write.register([role], { value: parseEther("1") });
}
const hubAs = async (w: (typeof wallets)[number]) => viem.getContractAt("InferenceHub", inferenceHub.address, { client: { wallet: w } });
const hubExecutor = await hubAs(executorW);
const hubProver = await hubAs(proverW);
const hubConsumer = await hubAs(consumerW);

async function receiptOf(hash: Hex) {
  const r = await publicClient.waitForTransactionReceipt({ hash });
  if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return r;
}

/** EIP-7623 floor of a transaction's calldata: 21000 + 10 per token (zero byte 1 token, non-zero 4). */
function calldataFloor(data: Hex): number {
  let tokens = 0;
  for (let i = 2; i < data.length; i += 2) tokens += data.slice(i, i + 2) === "00" ? 1 : 4;
  return 21_000 + 10 * tokens;
}

const signed = (v: bigint) => (v > FR_MODULUS / 2n ? v - FR_MODULUS : v);
let manifestSalt = 0;
async function registerModel(mode: number, verifier: Hex, inputLength: number, outputLength: number): Promise<bigint> {
  const spec = {
    onnxHash: `0x${"11".repeat(32)}` as Hex,
    settingsHash: `0x${"22".repeat(32)}` as Hex,
    circuitHash: `0x${"33".repeat(32)}` as Hex,
    vkHash: `0x${"44".repeat(32)}` as Hex,
    manifestHash: `0x${(++manifestSalt).toString(16).padStart(64, "0")}` as Hex,
    inputShape: [1, inputLength],
    outputShape: [1, outputLength],
    inputScale: 7,
    outputScale: 7,
    mode,
    verifier: mode === ZKML_ATTESTED ? ("0x0000000000000000000000000000000000000000" as Hex) : verifier,
    price: 0n,
    tolerance: 0n,
    // one bound for every input element: this bench measures verification, not admission
    inputLower: [-(2n ** 40n)],
    inputUpper: [2n ** 40n],
    batch: 1,
  };
  const { result } = await modelRegistry.simulate.registerModel([spec]);
  await modelRegistry.write.registerModel([spec]);
  return result;
}

const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 0, proofTimeout: 0 };
async function executedRequests(model: bigint, input: bigint[], output: bigint[], n: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const r = await receiptOf(await hubConsumer.write.requestInference([model, input, options], { value: parseEther("0.001") }));
    const [e] = parseEventLogs({ abi: inferenceHub.abi, logs: r.logs, eventName: "InferenceRequested" });
    await receiptOf(await hubExecutor.write.submitResult([e.args.requestId, output]));
    ids.push(e.args.requestId);
  }
  return ids;
}

function msStats(fn: () => boolean): { medianMs: number; minMs: number; ok: boolean } {
  const times: number[] = [];
  let ok = fn(); // warm-up (key preparation, WASM instantiation)
  for (let i = 0; i < TIMING_ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    ok = fn() && ok;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(times.length / 2)] * 10) / 10, minMs: Math.round(times[0] * 10) / 10, ok };
}

const attestationFigures = JSON.parse(readFileSync(join(REPO_ROOT, "bench/results/gas.json"), "utf8")) as {
  single: Record<string, number>;
};

const rows: Record<string, unknown>[] = [];
let sharedVerifier: Hex | undefined;
for (const name of MODELS) {
  const m = (SHUFFLE_CIRCUIT_NAMES as string[]).includes(name) ? await loadShuffleModelCase(name as ShuffleCircuitName) : await loadModelCase(name);
  const gen = generateVerifierArtifacts(m.desc, m.srs);
  const deploysVerifier = sharedVerifier === undefined;
  const d = await deployVerifierArtifacts(clients, gen, { verifier: sharedVerifier as never });
  sharedVerifier = d.verifier;
  const verifier = await viem.getContractAt("Halo2Verifier", d.verifier);
  const adapter = await viem.getContractAt("EzklReusableHalo2Adapter", d.adapter);
  const proof = hex(m.proof);
  const verifyData = encodeFunctionData({ abi: verifier.abi, functionName: "verifyProof", args: [d.vka, proof, m.instances] });
  const adapterData = encodeFunctionData({ abi: adapter.abi, functionName: "verifyProof", args: [proof, m.instances] });
  if (!(await verifier.read.verifyProof([d.vka, proof, m.instances]))) throw new Error(`${name}: the Solidity verifier rejects the proof`);
  const verifierTx = Number(await publicClient.estimateGas({ to: d.verifier, data: verifyData }));
  const adapterTx = Number(await publicClient.estimateGas({ to: d.adapter, data: adapterData }));

  const inst = m.instances.map(signed);
  const [input, output] = [inst.slice(0, m.inputLength), inst.slice(m.inputLength)];
  const onchainModel = await registerModel(ZKML_ONCHAIN, d.adapter, input.length, output.length);
  const attestedModel = await registerModel(ZKML_ATTESTED, "0x0000000000000000000000000000000000000000", input.length, output.length);
  // Warm the per-model state with one settled request, as bench/gas.ts does.
  const [warm] = await executedRequests(onchainModel, input, output, 1);
  await receiptOf(await hubProver.write.submitProof([warm, input, output, proof]));

  const [single] = await executedRequests(onchainModel, input, output, 1);
  const submitProofHash = await hubProver.write.submitProof([single, input, output, proof]);
  const submitProofGas = Number((await receiptOf(submitProofHash)).gasUsed);
  const submitProofInput = (await publicClient.getTransaction({ hash: submitProofHash })).input;

  const batches: Record<string, { total: number; perItem: number; calldataBytes: number }> = {};
  for (const n of BATCHES) {
    const ids = await executedRequests(onchainModel, input, output, n);
    const hash = await hubProver.write.submitProofs([ids, ids.map(() => input), ids.map(() => output), ids.map(() => proof)]);
    const r = await receiptOf(hash);
    const settled = parseEventLogs({ abi: inferenceHub.abi, logs: r.logs, eventName: "RequestSettled" }).length;
    if (settled !== n) throw new Error(`${name}: batch of ${n} settled ${settled}`);
    const tx = await publicClient.getTransaction({ hash });
    batches[n] = { total: Number(r.gasUsed), perItem: Math.round(Number(r.gasUsed) / n), calldataBytes: (tx.input.length - 2) / 2 };
  }

  const [att] = await executedRequests(attestedModel, input, output, 1);
  const attestedGas = Number((await receiptOf(await hubProver.write.submitProof([att, input, output, proof]))).gasUsed);

  const ts = msStats(() => tsVerify(m.desc, m.proof, [m.instances], m.srs));
  const engine = msStats(() => engineVerify(m.engineKey, m.proof, [m.instances]).ok);
  if (!ts.ok || !engine.ok) throw new Error(`${name}: an off-chain verifier rejected the proof`);
  const code = async (a: Hex) => ((await publicClient.getCode({ address: a }))!.length - 2) / 2;

  rows.push({
    model: name,
    k: m.desc.k,
    // EZKL shuffles are mv-lookups: this counts every lookup argument (range checks, activations, shuffles).
    lookups: m.desc.cs.lookups.length,
    proofBytes: m.proof.length,
    instances: m.instances.length,
    artifact: { bytes: gen.payload.length, dataContracts: 1 + d.extraChunks.length, ...gen.chunks.artifact.stats },
    gas: {
      verifierCallTx: verifierTx,
      verifierCallCalldataFloor: calldataFloor(verifyData),
      adapterCallTx: adapterTx,
      submitProof_onchain: submitProofGas,
      submitProof_onchain_calldataFloor: calldataFloor(submitProofInput),
      submitProofs: batches,
      submitProof_attested_sameProof: attestedGas,
      attestationSettlement_2of3nodes_fromGasJson: attestationFigures.single.attestationSettlement_2of3nodes,
      attestedPathTotal: attestedGas + attestationFigures.single.attestationSettlement_2of3nodes,
      // The first model also deploys the shared Halo2Verifier.
      deploy: Number(d.gasUsed),
      deployIncludesHalo2Verifier: deploysVerifier,
    },
    bytecode: { Halo2Verifier: await code(d.verifier), artifact: await code(d.vka), adapter: await code(d.adapter) },
    verifyTime: { tsMedianMs: ts.medianMs, engineMedianMs: engine.medianMs, tsMinMs: ts.minMs, engineMinMs: engine.minMs, iterations: TIMING_ITERATIONS },
  });
}

const result = {
  description: "On-chain Halo2 verification (npx hardhat run bench/onchain-verify.ts): gas on the in-process Hardhat network, real EZKL proofs of the demo models and of a MaxPool + Softmax circuit (EZKL shuffles). See bench/onchain-verify.ts.",
  date: new Date().toISOString(),
  rows,
};
await writeFile(join(REPO_ROOT, "bench/results/onchain-verify.json"), JSON.stringify(result, null, 2) + "\n");

type Row = { model: string; proofBytes: number; gas: Record<string, any>; verifyTime: Record<string, number>; bytecode: Record<string, number> };
console.log("\nmodel        proof B  verifier tx  (calldata floor)  submitProof  batch x1 / x2 / x5 per item        attested submit+settle  TS ms  engine ms");
for (const r of rows as Row[]) {
  const b = r.gas.submitProofs;
  console.log(
    `${r.model.padEnd(12)} ${String(r.proofBytes).padStart(7)}  ${String(r.gas.verifierCallTx).padStart(11)}  (${r.gas.verifierCallCalldataFloor})` +
      `  ${String(r.gas.submitProof_onchain).padStart(15)}  ${b[1].perItem} / ${b[2].perItem} / ${b[5].perItem}` +
      `  ${String(r.gas.attestedPathTotal).padStart(26)}  ${String(r.verifyTime.tsMedianMs).padStart(5)}  ${String(r.verifyTime.engineMedianMs).padStart(9)}`,
  );
}
console.log(`\nsizes: ${JSON.stringify((rows as Row[]).map((r) => ({ model: r.model, ...r.bytecode })))}`);
console.log("wrote bench/results/onchain-verify.json");
