// End to end on chain: a ZKML_ONCHAIN model whose verifier is the generated Halo2 verifier (adapter + artifact),
// a request settled from a real engine proof through InferenceHub.submitProof; tampered proofs, proofs of other
// inputs and another model's verifying artifact are rejected by the hub.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseEventLogs, type Address } from "viem";
import { FR_MODULUS } from "../../halo2/field.js";
import { generateVerifierArtifacts } from "../../halo2/solidity/generate.js";
import { deployVerifierArtifacts, type DeployedVerifier } from "../../halo2/solidity/deploy.js";
import { deployHub, MIN_STAKE, Mode, modelSpec, Role, Status, type HubFixture } from "../contracts/helpers/hub.js";
import { hex, loadModelCase, SKIP_MODELS, type ModelCase } from "../../testkit/halo2/corpus.js";
import { loadShuffleCircuit, type ShuffleCircuit } from "../../testkit/halo2/shuffle-circuit.js";

const { viem, networkHelpers } = await network.create();

/** Field element -> the signed fixed-point value the hub stores (r - |v| for negatives). */
const signed = (v: bigint) => (v > FR_MODULUS / 2n ? v - FR_MODULUS : v);

function split(m: ModelCase, which: "main" | "other") {
  const inst = (which === "main" ? m.instances : m.otherInstances).map(signed);
  return { input: inst.slice(0, m.inputLength), output: inst.slice(m.inputLength), proof: hex(which === "main" ? m.proof : m.otherProof) };
}

describe("InferenceHub ZKML_ONCHAIN with the generated Halo2 verifier", { skip: SKIP_MODELS, timeout: 900_000 }, () => {
  let mlp: ModelCase;
  let cnn: ModelCase;
  const deployed: { mlp?: DeployedVerifier; cnn?: DeployedVerifier } = {};

  before(async () => {
    mlp = await loadModelCase("iris-mlp");
    cnn = await loadModelCase("iris-cnn");
  });

  async function fixture() {
    const f = await deployHub(viem);
    // one prover, so every proof here is the assigned prover's
    await f.nodeRegistry.write.beginUnbonding([Role.Prover, MIN_STAKE], { account: f.wallets.prover2.account });
    const [wallet] = await viem.getWalletClients();
    const clients = { walletClient: wallet as never, publicClient: f.publicClient as never };
    const dMlp = await deployVerifierArtifacts(clients, generateVerifierArtifacts(mlp.desc, mlp.srs));
    const dCnn = await deployVerifierArtifacts(clients, generateVerifierArtifacts(cnn.desc, cnn.srs), { verifier: dMlp.verifier });
    deployed.mlp = dMlp;
    deployed.cnn = dCnn;
    const register = async (verifier: Address, salt: string) => {
      const spec = { ...modelSpec(Mode.ZKML_ONCHAIN, verifier), manifestHash: `0x${salt.padStart(64, "0")}` as `0x${string}` };
      const { result } = await f.modelRegistry.simulate.registerModel([spec]);
      await f.modelRegistry.write.registerModel([spec]);
      return result;
    };
    const mlpModel = await register(dMlp.adapter, "a1");
    const cnnModel = await register(dCnn.adapter, "c1");
    return { f, mlpModel, cnnModel };
  }

  async function executed(f: HubFixture, modelId: bigint, input: bigint[], output: bigint[]) {
    const id = await f.request(modelId, {}, input);
    await f.deliver(id, output);
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    return id;
  }

  it("settles a request from a real iris-mlp proof (RequestSettled), and the proof cannot be replayed", async () => {
    const { f, mlpModel } = await networkHelpers.loadFixture(fixture);
    const { input, output, proof } = split(mlp, "main");
    const id = await executed(f, mlpModel, input, output);
    const expected = await f.hub.read.expectedInstances([id, input, output]);
    assert.deepEqual(expected, mlp.instances);
    const hash = await f.hub.write.submitProof([id, input, output, proof], { account: f.wallets.prover1.account });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
    const settled = parseEventLogs({ abi: f.hub.abi, logs: receipt.logs, eventName: "RequestSettled" });
    assert.equal(settled.length, 1);
    assert.equal(settled[0].args.requestId, id);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    console.log(`    submitProof (iris-mlp, real proof ${mlp.proof.length} B): gas ${receipt.gasUsed}`);
    await assert.rejects(f.hub.write.submitProof([id, input, output, proof], { account: f.wallets.prover2.account }));
  });

  it("rejects a tampered proof, a proof of another input, and a wrong claimed output (InferenceHubInvalidProof)", async () => {
    const { f, mlpModel } = await networkHelpers.loadFixture(fixture);
    const { input, output, proof } = split(mlp, "main");
    const other = split(mlp, "other");
    const id = await executed(f, mlpModel, input, output);
    const tampered = mlp.proof.slice();
    tampered[mlp.desc.derived.proofSections.find((s) => s.name === "lookup_evals")!.offset + 7] ^= 0x10;
    const invalid = async (p: `0x${string}`, out: bigint[]) =>
      viem.assertions.revertWithCustomErrorWithArgs(
        f.hub.write.submitProof([id, input, out, p], { account: f.wallets.prover1.account }),
        f.hub,
        "InferenceHubInvalidProof",
        [id],
      );
    await invalid(hex(tampered), output);
    await invalid(other.proof, output); // a valid proof, but of another input
    await invalid(other.proof, other.output);
    await invalid(proof, output.map((v, i) => (i === 0 ? v + 1n : v))); // the right proof, a different output
    assert.equal(await f.hub.read.status([id]), Status.Executed);
    // The honest proof still settles afterwards.
    await f.hub.write.submitProof([id, input, output, proof], { account: f.wallets.prover1.account });
    assert.equal(await f.hub.read.status([id]), Status.Settled);
  });

  it("a model whose verifier holds another model's artifact rejects the proof", async () => {
    const { f, cnnModel } = await networkHelpers.loadFixture(fixture);
    const { input, output, proof } = split(mlp, "main");
    const id = await executed(f, cnnModel, input, output);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitProof([id, input, output, proof], { account: f.wallets.prover1.account }),
      f.hub,
      "InferenceHubInvalidProof",
      [id],
    );
    const c = split(cnn, "main");
    const id2 = await executed(f, cnnModel, c.input, c.output);
    await f.hub.write.submitProof([id2, c.input, c.output, c.proof], { account: f.wallets.prover1.account });
    assert.equal(await f.hub.read.status([id2]), Status.Settled);
  });

  it("submitProofs settles a batch of two real proofs and reports a tampered one as not ok", async () => {
    const { f, mlpModel } = await networkHelpers.loadFixture(fixture);
    const a = split(mlp, "main");
    const b = split(mlp, "other");
    const idA = await executed(f, mlpModel, a.input, a.output);
    const idB = await executed(f, mlpModel, b.input, b.output);
    const idC = await executed(f, mlpModel, a.input, a.output);
    const bad = mlp.proof.slice();
    bad[100] ^= 1;
    const args: [bigint[], bigint[][], bigint[][], `0x${string}`[]] = [
      [idA, idB, idC],
      [a.input, b.input, a.input],
      [a.output, b.output, a.output],
      [a.proof, b.proof, hex(bad)],
    ];
    const { result } = await f.hub.simulate.submitProofs(args, { account: f.wallets.prover1.account.address });
    assert.deepEqual(result, [true, true, false]);
    await f.hub.write.submitProofs(args, { account: f.wallets.prover1.account });
    assert.equal(await f.hub.read.status([idA]), Status.Settled);
    assert.equal(await f.hub.read.status([idB]), Status.Settled);
    assert.equal(await f.hub.read.status([idC]), Status.Executed);
    await f.assertBooksBalance();
  });
});

describe("InferenceHub ZKML_ONCHAIN with a MaxPool + Softmax (EZKL shuffle) circuit", { timeout: 900_000 }, () => {
  let c: ShuffleCircuit;
  before(async () => {
    c = await loadShuffleCircuit();
  });

  async function fixture() {
    const f = await deployHub(viem);
    const [wallet] = await viem.getWalletClients();
    const d = await deployVerifierArtifacts({ walletClient: wallet as never, publicClient: f.publicClient as never }, generateVerifierArtifacts(c.desc, c.srs));
    // 16 inputs (1×1×4×4) and 3 softmax outputs, all in the circuit's one instance column.
    // (one domain pair for all 16 inputs: this test is about verification, not admission)
    const domain = { lower: [-(2n ** 62n)], upper: [2n ** 62n] };
    const spec = { ...modelSpec(Mode.ZKML_ONCHAIN, d.adapter, 0n, undefined, domain), inputShape: [1, 1, 4, 4], outputShape: [1, 3], manifestHash: `0x${"5f".padStart(64, "0")}` as `0x${string}` };
    const { result: modelId } = await f.modelRegistry.simulate.registerModel([spec]);
    await f.modelRegistry.write.registerModel([spec]);
    return { f, modelId };
  }

  it("settles a request from a real proof; a tampered proof or another output reverts with InferenceHubInvalidProof", async () => {
    const { f, modelId } = await networkHelpers.loadFixture(fixture);
    const inst = c.instances[0].map(signed);
    const [input, output] = [inst.slice(0, c.inputLength), inst.slice(c.inputLength)];
    const id = await f.request(modelId, {}, input);
    await f.deliver(id, output);
    assert.deepEqual(await f.hub.read.expectedInstances([id, input, output]), c.instances[0]);
    const tampered = c.proof.slice();
    tampered[c.desc.derived.proofSections.find((s) => s.name === "lookup_phi_commitments")!.offset + 40] ^= 0x04;
    for (const [p, out] of [[hex(tampered), output], [hex(c.proof), output.map((v, i) => (i === 2 ? v + 1n : v))]] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        f.hub.write.submitProof([id, input, out, p], { account: f.wallets.prover1.account }),
        f.hub,
        "InferenceHubInvalidProof",
        [id],
      );
    }
    const hash = await f.hub.write.submitProof([id, input, output, hex(c.proof)], { account: f.wallets.prover1.account });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(parseEventLogs({ abi: f.hub.abi, logs: receipt.logs, eventName: "RequestSettled" }).length, 1);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
    console.log(`    submitProof (pool-softmax, real proof ${c.proof.length} B): gas ${receipt.gasUsed}`);
  });
});
