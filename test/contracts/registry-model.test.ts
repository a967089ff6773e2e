import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, toHex, zeroAddress, zeroHash } from "viem";

import { VerificationMode } from "../../protocol/enums.js";

const { ZKML_ONCHAIN, ZKML_ATTESTED, OPTIMISTIC } = VerificationMode;

const { viem, networkHelpers } = await network.create();

async function deployFixture() {
  const [owner, other, third] = await viem.getWalletClients();
  const registry = await viem.deployContract("ModelRegistry");
  // Any contract with code stands in for a verifier: the registry only checks that code exists.
  const verifier = await viem.deployContract("ModelRegistry");
  const asOther = await viem.getContractAt("ModelRegistry", registry.address, { client: { wallet: other } });
  const asThird = await viem.getContractAt("ModelRegistry", registry.address, { client: { wallet: third } });
  return { registry, verifier, owner, other, third, asOther, asThird };
}

function spec(verifier: `0x${string}`, over: Partial<Record<string, unknown>> = {}) {
  return {
    onnxHash: keccak256(toHex("onnx")),
    settingsHash: keccak256(toHex("settings")),
    circuitHash: keccak256(toHex("circuit")),
    vkHash: keccak256(toHex("vk")),
    manifestHash: keccak256(toHex("manifest")),
    inputShape: [1, 4],
    outputShape: [1, 3],
    inputScale: 7,
    outputScale: 7,
    mode: ZKML_ONCHAIN,
    verifier,
    price: 1000n,
    tolerance: 2n,
    inputLower: [-100n, -100n, -100n, -100n],
    inputUpper: [100n, 100n, 100n, 100n],
    batch: 1,
    ...over,
  } as const;
}

type Spec = ReturnType<typeof spec>;

describe("ModelRegistry", () => {
  it("registers a model with id 1, derived lengths, owner and event", async () => {
    const { registry, verifier, owner } = await networkHelpers.loadFixture(deployFixture);
    const s = spec(verifier.address);
    await viem.assertions.emitWithArgs(registry.write.registerModel([s]), registry, "ModelRegistered", [
      1n,
      getAddress(owner.account.address),
      0n,
      s.manifestHash,
      ZKML_ONCHAIN,
    ]);
    assert.equal(await registry.read.modelCount(), 1n);
    const m = await registry.read.getModel([1n]);
    assert.equal(m.owner, getAddress(owner.account.address));
    assert.equal(m.active, true);
    assert.equal(m.previousVersion, 0n);
    assert.equal(m.inputLength, 4);
    assert.equal(m.outputLength, 3);
    assert.deepEqual([...m.spec.inputShape], [1, 4]);
    assert.deepEqual([...m.spec.outputShape], [1, 3]);
    assert.equal(m.spec.onnxHash, s.onnxHash);
    assert.equal(m.spec.settingsHash, s.settingsHash);
    assert.equal(m.spec.circuitHash, s.circuitHash);
    assert.equal(m.spec.vkHash, s.vkHash);
    assert.equal(m.spec.manifestHash, s.manifestHash);
    assert.equal(m.spec.verifier, getAddress(verifier.address));
    assert.equal(m.spec.price, 1000n);
    assert.equal(m.spec.tolerance, 2n);
    const t = await registry.read.modelTerms([1n]);
    assert.equal(t.inputLength, 4);
    assert.equal(t.outputLength, 3);
    assert.equal(t.inputScale, 7);
    assert.equal(t.price, 1000n);
    assert.equal(t.mode, ZKML_ONCHAIN);
    assert.equal(await registry.read.isActive([1n]), true);
  });

  it("accepts ZKML_ATTESTED without a verifier and requires one for ONCHAIN and OPTIMISTIC", async () => {
    const { registry, verifier } = await networkHelpers.loadFixture(deployFixture);
    await registry.write.registerModel([spec(zeroAddress, { mode: ZKML_ATTESTED })]);
    for (const mode of [ZKML_ONCHAIN, OPTIMISTIC]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerModel([spec(zeroAddress, { mode })]),
        registry,
        "ModelRegistryMissingVerifier",
        [mode],
      );
    }
    const [, , , eoa] = await viem.getWalletClients();
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.registerModel([spec(eoa.account.address, { mode: OPTIMISTIC })]),
      registry,
      "ModelRegistryVerifierHasNoCode",
      [getAddress(eoa.account.address)],
    );
    await registry.write.registerModel([spec(verifier.address, { mode: OPTIMISTIC })]);
    assert.equal(await registry.read.modelCount(), 2n);
  });

  it("rejects invalid shapes, scales and hashes", async () => {
    const { registry, verifier } = await networkHelpers.loadFixture(deployFixture);
    const bad: Array<[Partial<Spec> | Record<string, unknown>, string, readonly unknown[]]> = [
      [{ inputShape: [] }, "ModelRegistryInvalidShape", [0n]],
      [{ outputShape: [] }, "ModelRegistryInvalidShape", [0n]],
      [{ inputShape: [1, 0, 4] }, "ModelRegistryInvalidShape", [0n]],
      [{ outputShape: [0] }, "ModelRegistryInvalidShape", [0n]],
      [{ inputShape: [64, 65] }, "ModelRegistryInvalidShape", [4160n]],
      [{ inputShape: [4097] }, "ModelRegistryInvalidShape", [4097n]],
      [{ inputShape: [1, 1, 1, 1, 1, 1, 1, 1, 1] }, "ModelRegistryInvalidShape", [0n]],
      [{ inputShape: [4294967295, 4294967295] }, "ModelRegistryInvalidShape", [4294967295n]],
      [{ inputScale: 25 }, "ModelRegistryInvalidScale", [25]],
      [{ outputScale: 255 }, "ModelRegistryInvalidScale", [255]],
      [{ onnxHash: zeroHash }, "ModelRegistryInvalidHash", []],
      [{ manifestHash: zeroHash }, "ModelRegistryInvalidHash", []],
    ];
    for (const [over, error, args] of bad) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        registry.write.registerModel([spec(verifier.address, over) as Spec]),
        registry,
        error as "ModelRegistryInvalidShape",
        args as [bigint],
      );
    }
    // The limits themselves are accepted.
    // a 4096-element input registers a single bound pair for all its elements
    await registry.write.registerModel([spec(verifier.address, { inputShape: [64, 64], inputScale: 24, outputScale: 0, inputLower: [-5n], inputUpper: [5n] })]);
    assert.equal((await registry.read.getModel([1n])).inputLength, 4096);
    assert.equal(await registry.read.modelCount(), 1n);
  });

  it("reverts on unknown ids", async () => {
    const { registry, verifier } = await networkHelpers.loadFixture(deployFixture);
    for (const call of [
      registry.read.getModel([1n]),
      registry.read.modelTerms([0n]),
      registry.write.setActive([7n, false]),
      registry.write.setPrice([7n, 1n]),
      registry.write.registerVersion([7n, spec(verifier.address)]),
    ]) {
      await viem.assertions.revertWithCustomError(call, registry, "ModelRegistryUnknownModel");
    }
    assert.equal(await registry.read.isActive([1n]), false);
  });

  it("builds a version chain without touching the previous version", async () => {
    const { registry, verifier, asOther, other } = await networkHelpers.loadFixture(deployFixture);
    await registry.write.registerModel([spec(verifier.address)]);
    const v2 = spec(verifier.address, { manifestHash: keccak256(toHex("manifest v2")), price: 5n });
    await viem.assertions.emitWithArgs(registry.write.registerVersion([1n, v2]), registry, "ModelRegistered", [
      2n,
      getAddress((await viem.getWalletClients())[0].account.address),
      1n,
      v2.manifestHash,
      ZKML_ONCHAIN,
    ]);
    const first = await registry.read.getModel([1n]);
    const second = await registry.read.getModel([2n]);
    assert.equal(first.previousVersion, 0n);
    assert.equal(first.spec.manifestHash, keccak256(toHex("manifest")));
    assert.equal(first.spec.price, 1000n);
    assert.equal(first.active, true);
    assert.equal(second.previousVersion, 1n);
    assert.equal(second.spec.price, 5n);
    // Only the owner of the previous version may extend its chain.
    await viem.assertions.revertWithCustomErrorWithArgs(
      asOther.write.registerVersion([1n, v2]),
      registry,
      "ModelRegistryNotOwner",
      [1n, getAddress(other.account.address), first.owner],
    );
  });

  it("lets only the owner deactivate, reactivate and reprice, with events", async () => {
    const { registry, verifier, asOther, other } = await networkHelpers.loadFixture(deployFixture);
    await registry.write.registerModel([spec(verifier.address)]);
    const owner = (await registry.read.getModel([1n])).owner;
    await viem.assertions.revertWithCustomErrorWithArgs(asOther.write.setActive([1n, false]), registry, "ModelRegistryNotOwner", [
      1n,
      getAddress(other.account.address),
      owner,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(asOther.write.setPrice([1n, 1n]), registry, "ModelRegistryNotOwner", [
      1n,
      getAddress(other.account.address),
      owner,
    ]);
    await viem.assertions.emitWithArgs(registry.write.setActive([1n, false]), registry, "ModelActivationChanged", [1n, false]);
    assert.equal(await registry.read.isActive([1n]), false);
    assert.equal((await registry.read.getModel([1n])).active, false);
    await viem.assertions.emitWithArgs(registry.write.setActive([1n, true]), registry, "ModelActivationChanged", [1n, true]);
    assert.equal(await registry.read.isActive([1n]), true);
    await viem.assertions.emitWithArgs(registry.write.setPrice([1n, 42n]), registry, "ModelPriceChanged", [1n, 1000n, 42n]);
    assert.equal((await registry.read.modelTerms([1n])).price, 42n);
  });

  it("transfers ownership in two steps", async () => {
    const { registry, verifier, asOther, asThird, owner, other, third } = await networkHelpers.loadFixture(deployFixture);
    await registry.write.registerModel([spec(verifier.address)]);
    const ownerAddr = getAddress(owner.account.address);
    const otherAddr = getAddress(other.account.address);
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.transferModelOwnership([1n, zeroAddress]),
      registry,
      "ModelRegistryInvalidOwner",
      [zeroAddress],
    );
    await viem.assertions.revertWithCustomError(
      asOther.write.transferModelOwnership([1n, otherAddr]),
      registry,
      "ModelRegistryNotOwner",
    );
    await viem.assertions.emitWithArgs(
      registry.write.transferModelOwnership([1n, otherAddr]),
      registry,
      "ModelOwnershipTransferStarted",
      [1n, ownerAddr, otherAddr],
    );
    // Nothing changes until the new owner accepts.
    assert.equal((await registry.read.getModel([1n])).owner, ownerAddr);
    assert.equal(await registry.read.pendingModelOwner([1n]), otherAddr);
    await viem.assertions.revertWithCustomErrorWithArgs(asThird.write.acceptModelOwnership([1n]), registry, "ModelRegistryNotPendingOwner", [
      1n,
      getAddress(third.account.address),
      otherAddr,
    ]);
    await viem.assertions.emitWithArgs(asOther.write.acceptModelOwnership([1n]), registry, "ModelOwnershipTransferred", [
      1n,
      ownerAddr,
      otherAddr,
    ]);
    assert.equal((await registry.read.getModel([1n])).owner, otherAddr);
    assert.equal(await registry.read.pendingModelOwner([1n]), zeroAddress);
    // The old owner lost its rights; the new one has them.
    await viem.assertions.revertWithCustomError(registry.write.setPrice([1n, 1n]), registry, "ModelRegistryNotOwner");
    await asOther.write.setPrice([1n, 9n]);
    // Proposing yourself cancels a pending proposal.
    await asOther.write.transferModelOwnership([1n, getAddress(third.account.address)]);
    await asOther.write.transferModelOwnership([1n, otherAddr]);
    assert.equal(await registry.read.pendingModelOwner([1n]), zeroAddress);
    await viem.assertions.revertWithCustomError(asThird.write.acceptModelOwnership([1n]), registry, "ModelRegistryNotPendingOwner");
  });
});
