import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress } from "viem";

import RegistriesModule from "../../ignition/modules/Registries.js";

describe("Ignition: Registries module", () => {
  it("deploys both registries with the given parameters", async () => {
    const { ignition, viem } = await network.create();
    const [deployer] = await viem.getWalletClients();
    const { modelRegistry, nodeRegistry } = await ignition.deploy(RegistriesModule, {
      parameters: { Registries: { minStakeExecutor: 11n, minStakeProver: 22n, minStakeVerifier: 33n, unbondingDelay: 44n } },
    });
    assert.equal(await modelRegistry.read.modelCount(), 0n);
    assert.equal(await nodeRegistry.read.owner(), getAddress(deployer.account.address));
    assert.deepEqual(
      await Promise.all([0, 1, 2].map((r) => nodeRegistry.read.minStake([r]))),
      [11n, 22n, 33n],
    );
    assert.equal(await nodeRegistry.read.unbondingDelay(), 44n);
  });
});
