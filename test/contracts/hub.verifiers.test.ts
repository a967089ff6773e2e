import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { keccak256, toFunctionSelector } from "viem";

import { deployHub, INPUT, instancesOf, Mode, modelSpec, OUTPUT, proofFor, Status } from "./helpers/hub.js";

const { viem, networkHelpers } = await network.create();

async function fixture() {
  const f = await deployHub(viem);
  const halo2 = await viem.deployContract("TestOnlyHalo2Verifier");
  const adapter = await viem.deployContract("EzklHalo2Adapter", [halo2.address]);
  const reusable = await viem.deployContract("EzklReusableHalo2Adapter", [halo2.address, halo2.address]);
  return { ...f, halo2, adapter, reusable };
}

const instances = instancesOf(INPUT, OUTPUT);

describe("IProofVerifier adapters", () => {
  it("target the EZKL selectors", () => {
    assert.equal(toFunctionSelector("verifyProof(bytes,uint256[])"), "0x1e8e1e13");
    assert.equal(toFunctionSelector("verifyProof(address,bytes,uint256[])"), "0xaf83a18d");
  });

  for (const name of ["adapter", "reusable"] as const) {
    it(`${name}: true for a valid proof, false (never a revert) for an invalid one or odd replies`, async () => {
      const f = await networkHelpers.loadFixture(fixture);
      const v = f[name];
      assert.equal(await v.read.verifyProof([proofFor(INPUT, OUTPUT), instances]), true);
      assert.equal(await v.read.verifyProof([proofFor(INPUT, [0n, 0n, 0n]), instances]), false);
      assert.equal(await v.read.verifyProof(["0x", instances]), false);
      for (const mode of [1, 2, 3]) {
        await f.halo2.write.setMode([mode]);
        assert.equal(await v.read.verifyProof([proofFor(INPUT, OUTPUT), instances]), false, `mode ${mode}`);
      }
      // a 100 KB revert payload is not copied: the call stays cheap
      await f.halo2.write.setMode([1]);
      const gas = await f.publicClient.estimateContractGas({ address: v.address, abi: v.abi, functionName: "verifyProof", args: [proofFor(INPUT, OUTPUT), instances] });
      assert.ok(gas < 200_000n, `gas ${gas}`);
    });
  }

  it("constructors refuse addresses without code", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const eoa = f.wallets.outsider.account.address;
    await assert.rejects(viem.deployContract("EzklHalo2Adapter", [eoa]), /EzklHalo2AdapterNotAContract/);
    await assert.rejects(viem.deployContract("EzklReusableHalo2Adapter", [f.halo2.address, eoa]), /EzklReusableHalo2AdapterNotAContract/);
  });

  it("the hub settles a ZKML_ONCHAIN request through the Halo2 adapter and rejects an unbound proof", async () => {
    const f = await networkHelpers.loadFixture(fixture);
    const spec = { ...modelSpec(Mode.ZKML_ONCHAIN, f.adapter.address), manifestHash: keccak256("0xabcd") };
    const { result: modelId } = await f.modelRegistry.simulate.registerModel([spec]);
    await f.modelRegistry.write.registerModel([spec]);
    const id = await f.request(modelId);
    await f.deliver(id);
    const prover = await f.proverOf(id);
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.hub.write.submitProof([id, INPUT, OUTPUT, proofFor([9n, 9n, 9n, 9n], OUTPUT)], { account: prover.account }),
      f.hub,
      "InferenceHubInvalidProof",
      [id],
    );
    await f.prove(id);
    assert.equal(await f.hub.read.status([id]), Status.Settled);
  });
});
