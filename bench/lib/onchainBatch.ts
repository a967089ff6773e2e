/**
 * bench/gas.ts's ZKML_ONCHAIN rows with real EZKL proofs and the project's Solidity Halo2 verifier (halo2/solidity):
 * `requests` iris-mlp requests through IrisClassifierConsumer (callbacks included), settled
 *   perRequest:      classify each, submitResult each, submitProof each (batch-1 bundle, one real proof reused: the
 *                    requests share one flower, which changes no gas figure but the calldata's zero bytes);
 *   batchProof:      classify each, submitResult each, one submitBatchProof per `batch` requests (batch-N bundle,
 *                    real proofs of distinct flowers);
 *   batchedAll:      one classifyBatch, one submitResults, one submitBatchProof per `batch` requests;
 *   partialBatch:    as batchedAll for 5 requests, one proof whose other slots are the hub's zero padding (a real
 *                    proof of the padding rule).
 * Each path starts from the same snapshot. The batch bundle and its proofs are built once and cached under .twinpath/.
 */
import { readFileSync } from "node:fs";
import { type Hex, encodeFunctionData, parseEther, parseEventLogs } from "viem";

import { loadBundleManifest, manifestToModelSpec } from "../../compiler/registration.js";
import { bundleFiles, describeBundle } from "../../halo2/circuit/describe.js";
import { readSrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { FR_MODULUS } from "../../halo2/field.js";
import { generateVerifierArtifacts } from "../../halo2/solidity/generate.js";
import { deployVerifierArtifacts } from "../../halo2/solidity/deploy.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { ensureBatchBundle } from "../../models/batchBundle.js";
import { ensureDemoBundle, exampleInputs } from "../../models/index.js";
import { cachedEngineProof } from "../../testkit/halo2/engine.js";
import { hex, loadModelCase } from "../../testkit/halo2/corpus.js";

export interface OnchainRow {
  requests: number;
  request: number;
  result: number;
  proof: number;
  total: number;
  perSettledRequest: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the bench's hardhat-viem contract handles */
export interface OnchainContext {
  viem: any;
  publicClient: any;
  networkHelpers: any;
  hubAddress: Hex;
  hubAbi: any;
  modelRegistry: any;
  deployer: any;
  executor: any;
  prover: any;
  user: any;
  gasPrice: bigint;
}

/** Requests of the partial-batch row: one proof with the rest of its slots padded. */
const PARTIAL = 5;
const signed = (v: bigint) => (v > FR_MODULUS / 2n ? v - FR_MODULUS : v);
const chunk = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export async function onchainRealRows(c: OnchainContext, requests: number, batch: number) {
  const { viem, publicClient } = c;
  const clients = { walletClient: c.deployer as never, publicClient: publicClient as never };
  const gasOf = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };

  // ---- the batch-1 bundle and one real proof (testkit corpus cache), the batch-N bundle and its real proofs
  const single = await loadModelCase("iris-mlp");
  const singleDir = (await ensureDemoBundle("iris-mlp")).dir;
  const batched = await ensureBatchBundle("iris-mlp", batch, { log: (m) => console.log(m) });
  const files = bundleFiles(batched.dir);
  const read = (f: keyof typeof files) => new Uint8Array(readFileSync(files[f]));
  const vk = read("vk");
  const vkTag = Buffer.from(vk.subarray(7, 15)).toString("hex");
  const rows = exampleInputs("iris-mlp", requests + PARTIAL);
  /** A real batch proof of `group` (at most `batch` flowers; the other slots zeros, the hub's padding). */
  const batchProofOf = (group: number[][], tag: string) => {
    const padded = [...group, ...Array.from({ length: batch - group.length }, () => [0, 0, 0, 0])];
    const pj = cachedEngineProof(`iris-mlp-b${batch}-${vkTag}-${tag}`, read("compiled"), read("srs"), vk, JSON.stringify({ input_data: [padded.flat()] }));
    const inst = instancesFromProofJson(pj)[0].map(signed);
    // every slot's 4 inputs, then every slot's 3 logits (compiler/batch.ts)
    if (inst.length !== batch * 7) throw new Error(`batch proof ${tag}: ${inst.length} instances, expected ${batch * 7}`);
    const inputs = chunk(inst.slice(0, batch * 4), 4);
    const outputs = chunk(inst.slice(batch * 4), 3);
    return { proof: hex(Uint8Array.from(pj.proof as number[])), inputs: inputs.slice(0, group.length), outputs, instances: inst.length };
  };
  const slots = chunk(rows.slice(0, requests), batch).map((group, j) => batchProofOf(group, String(j)));
  const partialSlots = batchProofOf(rows.slice(requests), `partial${PARTIAL}`);

  // ---- verifiers (one shared Halo2Verifier, an artifact + adapter per bundle) and the two registered versions
  const gen1 = generateVerifierArtifacts(single.desc, single.srs);
  const d1 = await deployVerifierArtifacts(clients, gen1);
  const genN = generateVerifierArtifacts(await describeBundle(batched.dir), readSrsVerifierParams(read("srs")));
  const dN = await deployVerifierArtifacts(clients, genN, { verifier: d1.verifier });
  const register = async (dir: string, adapter: Hex) => {
    const spec = manifestToModelSpec(await loadBundleManifest(dir), { mode: "ZKML_ONCHAIN", verifier: adapter, price: 0n });
    const { result } = await c.modelRegistry.simulate.registerModel([spec], { account: c.deployer.account });
    await c.modelRegistry.write.registerModel([spec], { account: c.deployer.account });
    return result as bigint;
  };
  const modelSingle = await register(singleDir, d1.adapter);
  const modelBatch = await register(batched.dir, dN.adapter);
  if ((await c.modelRegistry.read.getModel([modelBatch])).spec.batch !== batch) throw new Error("the registered version lost its batch");
  const consumerOf = async (model: bigint) => {
    const iris = await viem.deployContract("IrisClassifierConsumer", [c.hubAddress, model]);
    return viem.getContractAt("IrisClassifierConsumer", iris.address, { client: { wallet: c.user } });
  };
  const irisSingle = await consumerOf(modelSingle);
  const irisBatch = await consumerOf(modelBatch);
  const hubAs = (w: any) => viem.getContractAt("InferenceHub", c.hubAddress, { client: { wallet: w } });
  const hubExecutor = await hubAs(c.executor);
  const hubProver = await hubAs(c.prover);
  const FEE = parseEther("0.001");
  const paymentFor = async (iris: any, model: bigint) => {
    const hub = await viem.getContractAt("InferenceHub", c.hubAddress);
    return (await hub.read.quoteFee([model, await iris.read.requestOptions(), c.gasPrice])) + FEE;
  };
  const idOf = (logs: any[]) => parseEventLogs({ abi: c.hubAbi, logs, eventName: "InferenceRequested" }).map((e: any) => e.args.requestId as bigint);
  const settledIn = (logs: any[]) => parseEventLogs({ abi: c.hubAbi, logs, eventName: "RequestSettled" }).length;

  const start = await c.networkHelpers.takeSnapshot();
  const row = (g: { request: bigint; result: bigint; proof: bigint }, settled: number): OnchainRow => {
    if (settled !== requests) throw new Error(`settled ${settled} of ${requests}`);
    const total = Number(g.request + g.result + g.proof);
    return { requests, request: Number(g.request), result: Number(g.result), proof: Number(g.proof), total, perSettledRequest: Math.round(total / requests) };
  };

  // perRequest: today's path, one proof per request
  const singleInput = single.instances.slice(0, 4).map(signed);
  const singleOutput = single.instances.slice(4).map(signed);
  const singleProof = hex(single.proof);
  const perRequest = await (async () => {
    const pay = await paymentFor(irisSingle, modelSingle);
    const g = { request: 0n, result: 0n, proof: 0n };
    let settled = 0;
    for (let i = 0; i < requests; i++) {
      const r = await gasOf(await irisSingle.write.classify([singleInput], { value: pay, gasPrice: c.gasPrice }));
      const [id] = idOf(r.logs);
      g.request += r.gasUsed;
      g.result += (await gasOf(await hubExecutor.write.submitResult([id, singleOutput]))).gasUsed;
      const p = await gasOf(await hubProver.write.submitProof([id, singleInput, singleOutput, singleProof]));
      g.proof += p.gasUsed;
      settled += settledIn(p.logs);
    }
    return row(g, settled);
  })();

  const proveBatches = async (ids: bigint[], g: { proof: bigint }) => {
    let settled = 0;
    for (const [j, group] of chunk(ids, batch).entries()) {
      const s = slots[j];
      const p = await gasOf(await hubProver.write.submitBatchProof([group, s.inputs, s.outputs, s.proof]));
      g.proof += p.gasUsed;
      settled += settledIn(p.logs);
    }
    return settled;
  };
  const allInputs = slots.flatMap((s) => s.inputs);
  const allOutputs = slots.flatMap((s) => s.outputs.slice(0, s.inputs.length));

  await start.restore();
  const batchProof = await (async () => {
    const pay = await paymentFor(irisBatch, modelBatch);
    const g = { request: 0n, result: 0n, proof: 0n };
    const ids: bigint[] = [];
    for (let i = 0; i < requests; i++) {
      const r = await gasOf(await irisBatch.write.classify([allInputs[i]], { value: pay, gasPrice: c.gasPrice }));
      const [id] = idOf(r.logs);
      ids.push(id);
      g.request += r.gasUsed;
      g.result += (await gasOf(await hubExecutor.write.submitResult([id, allOutputs[i]]))).gasUsed;
    }
    return row(g, await proveBatches(ids, g));
  })();

  await start.restore();
  const batchedAll = await (async () => {
    const pay = await paymentFor(irisBatch, modelBatch);
    const g = { request: 0n, result: 0n, proof: 0n };
    const r = await gasOf(
      await irisBatch.write.classifyBatch([allInputs, allInputs.map(() => pay)], { value: pay * BigInt(requests), gasPrice: c.gasPrice }),
    );
    const ids = idOf(r.logs);
    g.request = r.gasUsed;
    g.result = (await gasOf(await hubExecutor.write.submitResults([ids, allOutputs]))).gasUsed;
    return row(g, await proveBatches(ids, g));
  })();

  // a partial batch: PARTIAL requests, one proof whose other slots are the hub's zeros
  await start.restore();
  const partial = await (async () => {
    const pay = await paymentFor(irisBatch, modelBatch);
    const r = await gasOf(
      await irisBatch.write.classifyBatch([partialSlots.inputs, partialSlots.inputs.map(() => pay)], { value: pay * BigInt(PARTIAL), gasPrice: c.gasPrice }),
    );
    const ids = idOf(r.logs);
    const result = (await gasOf(await hubExecutor.write.submitResults([ids, partialSlots.outputs.slice(0, PARTIAL)]))).gasUsed;
    const p = await gasOf(await hubProver.write.submitBatchProof([ids, partialSlots.inputs, partialSlots.outputs, partialSlots.proof]));
    const settled = settledIn(p.logs);
    if (settled !== PARTIAL) throw new Error(`partial batch settled ${settled} of ${PARTIAL}`);
    const total = Number(r.gasUsed + result + p.gasUsed);
    return { requests: PARTIAL, request: Number(r.gasUsed), result: Number(result), proof: Number(p.gasUsed), total, perSettledRequest: Math.round(total / PARTIAL) };
  })();

  const verifyData = encodeFunctionData({
    abi: [{ type: "function", name: "verifyProof", stateMutability: "view", inputs: [{ type: "bytes" }, { type: "uint256[]" }], outputs: [{ type: "bool" }] }],
    functionName: "verifyProof",
    args: [slots[0].proof, [...slots[0].inputs.flat(), ...Array.from({ length: (batch - slots[0].inputs.length) * 4 }, () => 0n), ...slots[0].outputs.flat()].map((v) => (v < 0n ? FR_MODULUS + v : v))],
  });
  const adapterCallTx = Number(await publicClient.estimateGas({ to: dN.adapter, data: verifyData }));
  return {
    model: "iris-mlp",
    batch,
    proofBytes: { perRequest: single.proof.length, batchProof: (slots[0].proof.length - 2) / 2 },
    batchInstances: slots[0].instances,
    batchProofAdapterCallTx: adapterCallTx,
    perRequest,
    batchProof,
    batchedAll,
    partialBatch: partial,
  };
}
