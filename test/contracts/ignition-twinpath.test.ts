import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, parseEventLogs, toHex, zeroAddress } from "viem";

import TwinpathModule from "../../ignition/modules/Twinpath.js";

const { ignition, viem, networkHelpers } = await network.create();

const PARAMETERS = {
  Registries: { minStakeExecutor: 1000n, minStakeProver: 2000n, minStakeVerifier: 3000n, unbondingDelay: 6000n },
  Hub: {
    executorBps: 5_000,
    proverBps: 2_500,
    verifierBps: 2_000,
    protocolBps: 500,
    quorumBps: 7_500,
    minResultTimeout: 5,
    defaultResultTimeout: 30,
    maxResultTimeout: 600,
    minProofTimeout: 10,
    defaultProofTimeout: 120,
    maxProofTimeout: 3_600,
    assignmentWindow: 3,
    defaultCallbackGas: 100_000,
    maxCallbackGas: 500_000,
    executorSlash: 500n,
    proverSlash: 600n,
    verifierSlash: 700n,
    slashRewardBps: 4_000,
    proverWindow: 120,
    attestationWindow: 300,
    electorateEpoch: 60,
    silenceLimit: 5,
    suspension: 3_600,
  },
};

async function deployTwinpath() {
  return ignition.deploy(TwinpathModule, { parameters: PARAMETERS });
}

describe("Ignition: Twinpath module", () => {
  it("wires the hub to both registries and its quorum, and lets only the hub slash", async () => {
    const { inferenceHub, modelRegistry, nodeRegistry, attestationQuorum } = await networkHelpers.loadFixture(deployTwinpath);
    assert.equal(await inferenceHub.read.attestationQuorum(), getAddress(attestationQuorum.address));
    assert.equal(await attestationQuorum.read.hub(), getAddress(inferenceHub.address));
    assert.equal(await attestationQuorum.read.nodes(), getAddress(nodeRegistry.address));
    const [deployer] = await viem.getWalletClients();
    assert.equal(await inferenceHub.read.models(), getAddress(modelRegistry.address));
    assert.equal(await inferenceHub.read.nodes(), getAddress(nodeRegistry.address));
    assert.equal(await nodeRegistry.read.hub(), getAddress(inferenceHub.address));
    assert.equal(await nodeRegistry.read.owner(), getAddress(deployer.account.address));
    assert.equal(await inferenceHub.read.owner(), getAddress(deployer.account.address));
    // setHub is one-shot: the wiring cannot be redirected afterwards.
    await viem.assertions.revertWithCustomError(
      nodeRegistry.write.setHub([deployer.account.address]),
      nodeRegistry,
      "NodeRegistryHubAlreadySet",
    );
  });

  it("applies the registry and hub parameters", async () => {
    const { inferenceHub, nodeRegistry } = await networkHelpers.loadFixture(deployTwinpath);
    const [deployer] = await viem.getWalletClients();
    assert.deepEqual(await Promise.all([0, 1, 2].map((r) => nodeRegistry.read.minStake([r]))), [1000n, 2000n, 3000n]);
    assert.equal(await nodeRegistry.read.unbondingDelay(), 6000n);
    // the registry's delay outlasts the longest window the hub allows (both contracts check)
    assert.equal(await inferenceHub.read.longestWindow(), 60n + 600n + 3_600n + 300n);
    const p = await inferenceHub.read.parameters();
    const h = PARAMETERS.Hub;
    assert.deepEqual(
      [p.executorBps, p.proverBps, p.verifierBps, p.protocolBps, p.quorumBps, p.slashRewardBps],
      [h.executorBps, h.proverBps, h.verifierBps, h.protocolBps, h.quorumBps, h.slashRewardBps],
    );
    assert.deepEqual(
      [p.minResultTimeout, p.defaultResultTimeout, p.maxResultTimeout, p.minProofTimeout, p.defaultProofTimeout, p.maxProofTimeout],
      [h.minResultTimeout, h.defaultResultTimeout, h.maxResultTimeout, h.minProofTimeout, h.defaultProofTimeout, h.maxProofTimeout],
    );
    assert.equal(p.assignmentWindow, h.assignmentWindow);
    assert.deepEqual([p.defaultCallbackGas, p.maxCallbackGas], [h.defaultCallbackGas, h.maxCallbackGas]);
    assert.deepEqual([p.executorSlash, p.proverSlash, p.verifierSlash], [500n, 600n, 700n]);
    assert.deepEqual([p.proverWindow, p.attestationWindow, p.electorateEpoch, p.silenceLimit, p.suspension], [120, 300, 60, 5, 3_600]);
    assert.equal(p.treasury, getAddress(deployer.account.address));
  });

  it("lets the deployed hub slash through the registry it was wired to", async () => {
    const { inferenceHub, modelRegistry, nodeRegistry } = await networkHelpers.loadFixture(deployTwinpath);
    const [, executor, consumer, verifier] = await viem.getWalletClients();
    const asExecutor = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: executor } });
    await asExecutor.write.register([0], { value: 1000n });
    await modelRegistry.write.registerModel([
      {
        onnxHash: keccak256(toHex("onnx")),
        settingsHash: keccak256(toHex("settings")),
        circuitHash: keccak256(toHex("circuit")),
        vkHash: keccak256(toHex("vk")),
        manifestHash: keccak256(toHex("manifest")),
        inputShape: [1, 2],
        outputShape: [1, 1],
        inputScale: 7,
        outputScale: 7,
        mode: 1, // ZKML_ATTESTED
        verifier: zeroAddress,
        price: 0n,
        tolerance: 0n,
        inputLower: [-10n],
        inputUpper: [10n],
        batch: 1,
      },
    ]);
    const asVerifier = await viem.getContractAt("NodeRegistry", nodeRegistry.address, { client: { wallet: verifier } });
    await asVerifier.write.register([2], { value: 3000n });
    const asConsumer = await viem.getContractAt("InferenceHub", inferenceHub.address, { client: { wallet: consumer } });
    const options = { callbackGasLimit: 0, resultCallback: false, resultTimeout: 5, proofTimeout: 0 };
    const gasPrice = 2_000_000_000n;
    const value = await inferenceHub.read.quoteFee([1n, options, gasPrice]);
    await asConsumer.write.requestInference([1n, [1n, 2n], options], { value, gasPrice });
    assert.equal(await inferenceHub.read.assignedExecutor([1n]), getAddress(executor.account.address));
    await networkHelpers.time.increase(10);
    // The executor missed its deadline: the hub refunds and slashes executorSlash (500 wei) via the registry.
    // (Its duty kept the stake there: the delay alone would have let it leave after 6000 s.)
    const publicClient = await viem.getPublicClient();
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await inferenceHub.write.refundExpired([1n]) });
    const [slashed] = parseEventLogs({ abi: nodeRegistry.abi, logs: receipt.logs, eventName: "NodeSlashed" });
    assert.equal(slashed.args.node, getAddress(executor.account.address));
    assert.equal(slashed.args.amount, 500n);
    assert.equal(await nodeRegistry.read.stakeOf([executor.account.address, 0]), 500n);
    assert.equal(await nodeRegistry.read.isEligible([executor.account.address, 0]), false, "below the 1000 wei minimum");
  });
});
