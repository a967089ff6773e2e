// The Solidity Halo2Verifier (interpreting a generated verifying artifact) against the TS verifier (itself checked
// against the engine in test/halo2/) on the same corpus, in the Hardhat EVM: valid proofs of the demo models
// iris-mlp and iris-cnn, of a MaxPool + Softmax circuit (EZKL shuffles) built by compiler/, and of the shared
// reference vectors when present; byte flips in every proof section,
// swapped commitments, changed instances, malformed inputs, another model's artifact. Contract sizes are checked
// against EIP-170 and the verification gas is reported.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { encodeFunctionData, type Address } from "viem";
import { bigIntToBytesBE, FQ_MODULUS, FR_MODULUS } from "../../halo2/field.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import type { SrsVerifierParams } from "../../halo2/circuit/encoding.js";
import { verifyProof as tsVerify } from "../../halo2/verify/verifier.js";
import { CONTRACT_SIZE_LIMIT, dataContractInitcode, generateVerifierArtifacts } from "../../halo2/solidity/generate.js";
import { auditDeployedVerifier, deployVerifierArtifacts, type DeployedVerifier } from "../../halo2/solidity/deploy.js";
import { engineVerify } from "../../testkit/halo2/engine.js";
import { loadVector, SKIP_SHARED } from "../../testkit/halo2/vectors.js";
import { loadShuffleCircuit } from "../../testkit/halo2/shuffle-circuit.js";
import { hex, loadModelCase, SKIP_MODELS, type ModelCase } from "../../testkit/halo2/corpus.js";

const { viem } = await network.create();
const [wallet] = await viem.getWalletClients();
const publicClient = await viem.getPublicClient();
const clients = { walletClient: wallet as never, publicClient: publicClient as never };

let sharedVerifier: Address | undefined;
async function deployFor(desc: CircuitDescription, srs: SrsVerifierParams): Promise<DeployedVerifier> {
  const d = await deployVerifierArtifacts(clients, generateVerifierArtifacts(desc, srs), { verifier: sharedVerifier });
  sharedVerifier = d.verifier;
  return d;
}

async function solVerify(d: DeployedVerifier, proof: Uint8Array, instances: bigint[], vka: Address = d.vka): Promise<boolean> {
  const v = await viem.getContractAt("Halo2Verifier", d.verifier);
  return v.read.verifyProof([vka, hex(proof), instances]);
}

async function verifyGas(d: DeployedVerifier, proof: Uint8Array, instances: bigint[]): Promise<bigint> {
  const v = await viem.getContractAt("Halo2Verifier", d.verifier);
  const data = encodeFunctionData({ abi: v.abi, functionName: "verifyProof", args: [d.vka, hex(proof), instances] });
  return publicClient.estimateGas({ to: d.verifier, data });
}

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function swap(proof: Uint8Array, a: number, b: number, len: number): Uint8Array {
  const p = proof.slice();
  p.set(proof.subarray(b, b + len), a);
  p.set(proof.subarray(a, a + len), b);
  return p;
}

/** Both verifiers must give `expected` (only the Solidity one when `tsToo` is false); returns the Solidity answer for the message. */
async function agree(d: DeployedVerifier, desc: CircuitDescription, srs: SrsVerifierParams, proof: Uint8Array, inst: bigint[], expected: boolean, what: string, tsToo = true) {
  const sol = await solVerify(d, proof, inst);
  if (tsToo) assert.equal(tsVerify(desc, proof, [inst], srs), expected, `TS verifier: ${what}`);
  assert.equal(sol, expected, `Solidity verifier: ${what}`);
}

/**
 * `tsRejectionsIn`: the file that already checks the TS verifier's rejections on this circuit (the same kinds of
 * section flips and changed instances, against the engine). The TS verifier then checks only the valid proof and the
 * swaps here: its ~50 ms per mutation was a third of this file's time, spent on a copy of that file's checks.
 */
function mutationSuite(name: string, load: () => Promise<{ desc: CircuitDescription; srs: SrsVerifierParams; proof: Uint8Array; instances: bigint[] }>, seed: number, tsRejectionsIn?: string) {
  let c: Awaited<ReturnType<typeof load>>;
  let d: DeployedVerifier;
  const ts = tsRejectionsIn === undefined;
  const also = ts ? " (TS agrees)" : ` (TS: ${tsRejectionsIn})`;
  before(async () => {
    c = await load();
    d = await deployFor(c.desc, c.srs);
  });

  it("accepts the valid proof (TS verifier agrees); reports the gas", async () => {
    await agree(d, c.desc, c.srs, c.proof, c.instances, true, "valid proof");
    const gas = await verifyGas(d, c.proof, c.instances);
    console.log(`    ${name}: verifyProof gas ${gas} (proof ${c.proof.length} B, ${c.instances.length} instances)`);
    assert.ok(gas < 10_000_000n, `gas ${gas}`);
    const adapter = await viem.getContractAt("EzklReusableHalo2Adapter", d.adapter);
    assert.equal(await adapter.read.verifyProof([hex(c.proof), c.instances]), true);
  });

  it(`rejects random bit flips in every proof section${also}`, async () => {
    const next = rng(seed);
    let n = 0;
    for (const sec of c.desc.derived.proofSections) {
      const size = sec.kind === "point" ? 64 : 32;
      for (const el of [...new Set([0, Math.floor(sec.count / 2), sec.count - 1])]) {
        const p = c.proof.slice();
        const byte = sec.offset + el * size + next(size);
        p[byte] ^= 1 << next(8);
        await agree(d, c.desc, c.srs, p, c.instances, false, `flip in ${sec.name}[${el}] byte ${byte}`, ts);
        n++;
      }
    }
    assert.ok(n >= c.desc.derived.proofSections.length);
  });

  // (the TS verifier on every circuit: test/halo2/shuffle-circuit.test.ts swaps nothing)
  it("rejects swapped commitments and evaluations (TS agrees)", async () => {
    const off = (s: string) => c.desc.derived.proofSections.find((x) => x.name === s)!.offset;
    const cases: [string, Uint8Array][] = [
      ["advice commitments 0/1", swap(c.proof, off("advice_commitments"), off("advice_commitments") + 64, 64)],
      ["h pieces 0/1", swap(c.proof, off("vanishing_h_commitments"), off("vanishing_h_commitments") + 64, 64)],
      ["SHPLONK h1/h2", swap(c.proof, off("shplonk_h1"), off("shplonk_h2"), 64)],
      ["permutation z 0/1", swap(c.proof, off("permutation_z_commitments"), off("permutation_z_commitments") + 64, 64)],
      ["lookup m / phi", swap(c.proof, off("lookup_m_commitments"), off("lookup_phi_commitments"), 64)],
      ["advice evals 0/1", swap(c.proof, off("advice_evals"), off("advice_evals") + 32, 32)],
      ["lookup evals phi/phi(ωx)", swap(c.proof, off("lookup_evals"), off("lookup_evals") + 32, 32)],
    ];
    for (const [what, p] of cases) await agree(d, c.desc, c.srs, p, c.instances, false, what);
  });

  it(`rejects every single changed instance and reordered instances${also}`, async () => {
    for (let i = 0; i < c.instances.length; i++) {
      const inst = c.instances.slice();
      inst[i] = (inst[i] + 1n) % FR_MODULUS;
      await agree(d, c.desc, c.srs, c.proof, inst, false, `instance ${i} + 1`, ts);
    }
    if (c.instances.length > 1 && c.instances[0] !== c.instances[1]) {
      const inst = c.instances.slice();
      [inst[0], inst[1]] = [inst[1], inst[0]];
      await agree(d, c.desc, c.srs, c.proof, inst, false, "instances 0/1 swapped");
    }
  });

  it("returns false (never true, never a revert) for malformed proofs and instances", async () => {
    const falseFor = async (p: Uint8Array, inst: bigint[], what: string) => assert.equal(await solVerify(d, p, inst), false, what);
    await falseFor(c.proof.subarray(0, c.proof.length - 32), c.instances, "truncated proof");
    await falseFor(new Uint8Array(0), c.instances, "empty proof");
    await falseFor(new Uint8Array([...c.proof, ...new Uint8Array(32)]), c.instances, "trailing bytes");
    await falseFor(c.proof, c.instances.slice(0, -1), "one instance missing");
    await falseFor(c.proof, [...c.instances, 0n], "one instance too many");
    await falseFor(c.proof, [c.instances[0] + FR_MODULUS, ...c.instances.slice(1)], "non-canonical instance (v + r)");
    const evals = c.desc.derived.proofSections.find((s) => s.name === "advice_evals")!.offset;
    const s = BigInt(hex(c.proof.subarray(evals, evals + 32)));
    if (s + FR_MODULUS < 1n << 256n) {
      const p = c.proof.slice();
      p.set(bigIntToBytesBE(s + FR_MODULUS), evals);
      await falseFor(p, c.instances, "non-canonical scalar");
    }
    const bigX = c.proof.slice();
    bigX.set(bigIntToBytesBE(FQ_MODULUS), 0);
    await falseFor(bigX, c.instances, "x = q");
    const identity = c.proof.slice();
    identity.fill(0, 0, 64);
    await falseFor(identity, c.instances, "identity point");
    // The same point given with y + q (an out-of-range encoding the precompiles would reduce).
    const yPlusQ = c.proof.slice();
    const y = BigInt(hex(c.proof.subarray(32, 64)));
    if (y + FQ_MODULUS < 1n << 256n) {
      yPlusQ.set(bigIntToBytesBE(y + FQ_MODULUS), 32);
      await falseFor(yPlusQ, c.instances, "y + q");
    }
    // Not an artifact: an account without code, and a contract that is not a verifying artifact.
    assert.equal(await solVerify(d, c.proof, c.instances, "0x000000000000000000000000000000000000dEaD"), false);
    assert.equal(await solVerify(d, c.proof, c.instances, d.verifier), false);
  });
}

describe("Solidity Halo2Verifier: demo models", { skip: SKIP_MODELS, timeout: 900_000 }, () => {
  for (const [i, name] of ["iris-mlp", "iris-cnn", "iris-deep"].entries()) {
    describe(name, () => mutationSuite(name, () => loadModelCase(name), 11 + i));
  }

  describe("iris-mlp random mutation sweep", () => {
    it("rejects 60 random bit flips anywhere in the proof, as the TS verifier does", async () => {
      const m = await loadModelCase("iris-mlp");
      const d = await deployFor(m.desc, m.srs);
      const next = rng(99);
      for (let i = 0; i < 60; i++) {
        const p = m.proof.slice();
        const byte = next(p.length);
        p[byte] ^= 1 << next(8);
        await agree(d, m.desc, m.srs, p, m.instances, false, `flip at byte ${byte}`);
      }
    });
  });

  describe("binding", () => {
    let mlp: ModelCase;
    let cnn: ModelCase;
    let dMlp: DeployedVerifier;
    let dCnn: DeployedVerifier;
    before(async () => {
      mlp = await loadModelCase("iris-mlp");
      cnn = await loadModelCase("iris-cnn");
      dMlp = await deployFor(mlp.desc, mlp.srs);
      dCnn = await deployFor(cnn.desc, cnn.srs);
    });

    it("a proof of another input verifies only with its own instances (engine agrees)", async () => {
      assert.notDeepEqual(mlp.otherInstances, mlp.instances);
      assert.equal(await solVerify(dMlp, mlp.otherProof, mlp.otherInstances), true);
      assert.equal(engineVerify(mlp.engineKey, mlp.otherProof, [mlp.otherInstances]).ok, true);
      assert.equal(await solVerify(dMlp, mlp.otherProof, mlp.instances), false);
      assert.equal(await solVerify(dMlp, mlp.proof, mlp.otherInstances), false);
      assert.equal(engineVerify(mlp.engineKey, mlp.proof, [mlp.otherInstances]).ok, false);
    });

    it("another model's verifying artifact rejects the proof (same circuit shape, different key)", async () => {
      assert.equal(mlp.proof.length, cnn.proof.length);
      assert.notEqual(mlp.desc.vkDigest, cnn.desc.vkDigest);
      assert.equal(await solVerify(dCnn, cnn.proof, cnn.instances), true);
      assert.equal(await solVerify(dMlp, cnn.proof, cnn.instances, dCnn.vka), true);
      assert.equal(await solVerify(dMlp, mlp.proof, mlp.instances, dCnn.vka), false);
      assert.equal(await solVerify(dCnn, cnn.proof, cnn.instances, dMlp.vka), false);
      assert.equal(tsVerify(cnn.desc, mlp.proof, [mlp.instances], cnn.srs), false);
      const adapterCnn = await viem.getContractAt("EzklReusableHalo2Adapter", dCnn.adapter);
      assert.equal(await adapterCnn.read.verifyProof([hex(mlp.proof), mlp.instances]), false);
    });

    it("an artifact split across several data contracts verifies the same way", async () => {
      const gen = generateVerifierArtifacts(mlp.desc, mlp.srs, 32 * 64); // the smallest chunk: several even for a small artifact
      assert.ok(gen.chunks.extraChunkPayloads.length >= 2, `${gen.chunks.extraChunkPayloads.length} continuation chunks`);
      const d = await deployVerifierArtifacts(clients, gen, { verifier: sharedVerifier });
      assert.equal(d.extraChunks.length, gen.chunks.extraChunkPayloads.length);
      assert.equal(await solVerify(d, mlp.proof, mlp.instances), true);
      const p = mlp.proof.slice();
      p[p.length - 1] ^= 1;
      assert.equal(await solVerify(d, p, mlp.instances), false);
      // Chunk 0 listing its continuation chunks in the wrong order: the reassembled artifact is wrong, so false.
      const wrongOrder = gen.chunks.firstChunkPayload([...d.extraChunks].reverse());
      const hash = await wallet.sendTransaction({ data: dataContractInitcode(wrongOrder), account: wallet.account, chain: wallet.chain });
      const bad = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
      assert.equal(await solVerify(d, mlp.proof, mlp.instances, bad), false);
    });

    it("auditDeployedVerifier confirms a deployment matches its circuit and flags another model's", async () => {
      const genMlp = generateVerifierArtifacts(mlp.desc, mlp.srs);
      assert.deepEqual(await auditDeployedVerifier(publicClient, dMlp.adapter, genMlp), []);
      const wrong = await auditDeployedVerifier(publicClient, dCnn.adapter, genMlp);
      assert.equal(wrong.length, 1);
      assert.match(wrong[0], /differs from the payload/);
      assert.match((await auditDeployedVerifier(publicClient, dMlp.verifier, genMlp))[0], /does not hold the compiled EzklReusableHalo2Adapter/);
      const chunked = generateVerifierArtifacts(mlp.desc, mlp.srs, 2500);
      const dChunked = await deployVerifierArtifacts(clients, chunked, { verifier: sharedVerifier });
      assert.deepEqual(await auditDeployedVerifier(publicClient, dChunked.adapter, chunked), []);
      assert.ok((await auditDeployedVerifier(publicClient, dChunked.adapter, genMlp)).length > 0);
    });

    it("every deployed contract fits EIP-170 (no unlimited contract size)", async () => {
      const sizes: Record<string, number> = {};
      for (const [what, a] of [
        ["Halo2Verifier", dMlp.verifier],
        ["artifact iris-mlp", dMlp.vka],
        ["artifact iris-cnn", dCnn.vka],
        ["adapter", dMlp.adapter],
        ...dMlp.extraChunks.map((x, i) => [`chunk ${i + 1}`, x]),
      ] as [string, Address][]) {
        const code = await publicClient.getCode({ address: a });
        sizes[what] = ((code?.length ?? 2) - 2) / 2;
        assert.ok(sizes[what] > 0 && sizes[what] < CONTRACT_SIZE_LIMIT, `${what}: ${sizes[what]} bytes`);
      }
      console.log(`    sizes: ${JSON.stringify(sizes)}`);
    });
  });
});

describe("Solidity Halo2Verifier: shared reference vectors", { skip: SKIP_SHARED, timeout: 900_000 }, () => {
  for (const [i, name] of (["fixture", "mlp"] as const).entries()) {
    describe(name, () =>
      mutationSuite(name, async () => {
        const v = loadVector(name);
        return { desc: v.desc, srs: v.srs, proof: v.proof, instances: v.instances[0] };
      }, 21 + i, "test/halo2/verifier.test.ts"),
    );
  }
});

describe("Solidity Halo2Verifier: shuffle circuit (Conv → MaxPool → Gemm → Softmax, built by compiler/)", { timeout: 900_000 }, () => {
  const load = async () => {
    const s = await loadShuffleCircuit();
    return { desc: s.desc, srs: s.srs, proof: s.proof, instances: s.instances[0] };
  };
  describe("pool-softmax", () => mutationSuite("pool-softmax", load, 31, "test/halo2/shuffle-circuit.test.ts"));

  describe("pool-softmax: every word, binding, size", () => {
    let d: DeployedVerifier;
    let s: Awaited<ReturnType<typeof loadShuffleCircuit>>;
    before(async () => {
      s = await loadShuffleCircuit();
      d = await deployFor(s.desc, s.srs);
    });

    it("rejects a single-byte change in every 32-byte word of the proof", async () => {
      const next = rng(33);
      for (let word = 0; word < s.proof.length / 32; word++) {
        const p = s.proof.slice();
        const byte = word * 32 + next(32);
        p[byte] = (p[byte] + 1 + next(255)) & 0xff;
        assert.equal(await solVerify(d, p, s.instances[0]), false, `change at byte ${byte} accepted`);
      }
    });

    it("a proof of another input verifies only with its own instances (engine agrees)", async () => {
      assert.equal(await solVerify(d, s.otherProof, s.otherInstances[0]), true);
      assert.equal(await solVerify(d, s.otherProof, s.instances[0]), false);
      assert.equal(await solVerify(d, s.proof, s.otherInstances[0]), false);
      assert.equal(engineVerify(s.engineKey, s.proof, s.otherInstances).ok, false);
    });

    it("the unchanged, circuit-independent Halo2Verifier verifies it; its artifact fits one data contract", async () => {
      // The audit checks that the verifier holds exactly the compiled Halo2Verifier and the artifact the generated payload.
      assert.deepEqual(await auditDeployedVerifier(publicClient, d.adapter, generateVerifierArtifacts(s.desc, s.srs)), []);
      const code = async (a: Address) => ((await publicClient.getCode({ address: a }))!.length - 2) / 2;
      assert.equal(d.extraChunks.length, 0);
      assert.ok((await code(d.vka)) < CONTRACT_SIZE_LIMIT);
      assert.ok((await code(d.verifier)) < CONTRACT_SIZE_LIMIT);
      const adapter = await viem.getContractAt("EzklReusableHalo2Adapter", d.adapter);
      assert.equal(await adapter.read.verifyProof([hex(s.proof), s.instances[0]]), true);
    });
  });
});
