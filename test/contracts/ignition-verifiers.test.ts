import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress } from "viem";

import VerifiersModule, { ReusableVerifiersModule } from "../../ignition/modules/Verifiers.js";

describe("Ignition: Verifiers modules", () => {
  it("wraps a deployed Halo2 verifier in an EzklHalo2Adapter", async () => {
    const { ignition, viem } = await network.create();
    const halo2 = await viem.deployContract("TestOnlyHalo2Verifier");
    const { ezklHalo2Adapter } = await ignition.deploy(VerifiersModule, {
      parameters: { Verifiers: { halo2Verifier: halo2.address } },
    });
    assert.equal(await ezklHalo2Adapter.read.halo2Verifier(), getAddress(halo2.address));
    // The adapter answers false (never reverts) for a proof the wrapped verifier rejects.
    assert.equal(await ezklHalo2Adapter.read.verifyProof(["0x1234", [1n]]), false);
  });

  it("refuses a verifier address without code, and fixes the VKA of a reusable adapter", async () => {
    const { ignition, viem } = await network.create();
    const [eoa] = await viem.getWalletClients();
    await assert.rejects(
      ignition.deploy(VerifiersModule, { parameters: { Verifiers: { halo2Verifier: eoa.account.address } } }),
      /EzklHalo2AdapterNotAContract|reverted/,
    );
    const reusable = await viem.deployContract("TestOnlyHalo2Verifier");
    const vka = await viem.deployContract("TestOnlyHalo2Verifier");
    const { ezklReusableHalo2Adapter } = await ignition.deploy(ReusableVerifiersModule, {
      parameters: { ReusableVerifiers: { reusableVerifier: reusable.address, vka: vka.address } },
    });
    assert.equal(await ezklReusableHalo2Adapter.read.vka(), getAddress(vka.address));
    assert.equal(await ezklReusableHalo2Adapter.read.reusableVerifier(), getAddress(reusable.address));
  });
});
