import { rmSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import { getAddress, type Address } from "viem";
import TwinpathModule from "../ignition/modules/Twinpath.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

export interface Deployment {
  inferenceHub: Address;
  attestationQuorum: Address;
  modelRegistry: Address;
  nodeRegistry: Address;
  /** block of the last deployment transaction: the listener's start block */
  deployBlock: bigint;
}

/**
 * Ignition parameters for a local run: small stakes, a short assignment window and minimum timeout so tests can
 * exercise deadlines, and a long default result timeout because an automining node advances its clock at least
 * one second per block (a burst of requests runs chain time ahead of the wall clock). The unbonding delay must
 * exceed the hub's longest window (both contracts check): 10 days against the default 8 days and 10 minutes.
 */
export const DEVNET_PARAMETERS = {
  Registries: { minStakeExecutor: 10n ** 16n, minStakeProver: 10n ** 16n, minStakeVerifier: 10n ** 16n, unbondingDelay: 864_000n },
  Hub: { assignmentWindow: 10, minResultTimeout: 10, defaultResultTimeout: 3600, defaultCallbackGas: 200_000 },
};

/**
 * Deploys the protocol with the project's Ignition module (ignition/modules/Twinpath.ts) to the node at `rpcUrl`,
 * through Hardhat's `localhost` network with its URL overridden. The on-disk journal Ignition writes for http
 * networks is removed afterwards (a dev chain dies with the run).
 */
export async function deployProtocol(rpcUrl: string, parameters: Record<string, Record<string, unknown>> = DEVNET_PARAMETERS): Promise<Deployment> {
  const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
  const deploymentId = `chain-31337-devnet-${process.pid}-${Date.now()}`;
  try {
    const deployed = await connection.ignition.deploy(TwinpathModule, {
      parameters: parameters as Record<string, Record<string, never>>,
      deploymentId,
      displayUi: false,
      config: { requiredConfirmations: 1 },
    });
    const { inferenceHub, modelRegistry, nodeRegistry, attestationQuorum } = deployed as unknown as Record<
      "inferenceHub" | "modelRegistry" | "nodeRegistry" | "attestationQuorum",
      { address: Address }
    >;
    const pc = await connection.viem.getPublicClient();
    return {
      inferenceHub: getAddress(inferenceHub.address),
      attestationQuorum: getAddress(attestationQuorum.address),
      modelRegistry: getAddress(modelRegistry.address),
      nodeRegistry: getAddress(nodeRegistry.address),
      deployBlock: await pc.getBlockNumber(),
    };
  } finally {
    rmSync(join(REPO_ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
    await connection.close();
  }
}
