/**
 * Deploys the whole protocol (ignition/modules/Twinpath.ts) to the selected network and records the addresses.
 *
 *   npx hardhat run scripts/deploy.ts --network localhost     # a running `npx hardhat node`
 *   npx hardhat run scripts/deploy.ts --network remote        # TWINPATH_RPC_URL + TWINPATH_DEPLOYER_KEY
 *
 * Environment (all optional):
 *   TWINPATH_IGNITION_PARAMETERS  parameters file; default ignition/parameters/<network>.json if it exists,
 *                                 else ignition/parameters/local.json on local chains (chain id 31337)
 *   TWINPATH_DEPLOYMENT_ID        Ignition deployment id; default chain-<chainId> (a re-run resumes it), and a
 *                                 fresh id per run on chain 31337 (a restarted local node has none of the old contracts)
 *
 * Writes deployments/<chainId>.json (the addresses other scripts and the workers read) unless the network is the
 * in-process simulated one, whose contracts vanish when the script ends.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

import { network } from "hardhat";
import { getAddress } from "viem";
import { z } from "zod";

import TwinpathModule from "../ignition/modules/Twinpath.js";
import { writeDeployment } from "./lib/deployments.js";
import { envString, parseEnv } from "./lib/env.js";
import { ScriptInputError, runScript } from "./lib/run.js";
import { REPO_ROOT } from "../protocol/repoRoot.js";

const LOCAL_CHAIN_ID = 31337;

await runScript(async () => {
  const env = parseEnv(
    "scripts/deploy.ts",
    z.object({
      TWINPATH_IGNITION_PARAMETERS: envString().optional(),
      TWINPATH_DEPLOYMENT_ID: envString().optional(),
    }),
  );

  const connection = await network.create();
  const { ignition, viem, networkName } = connection;
  const publicClient = await viem.getPublicClient();
  const [deployer] = await viem.getWalletClients();
  const chainId = await publicClient.getChainId();
  const simulated = connection.networkConfig.type === "edr-simulated";

  const parameters = env.TWINPATH_IGNITION_PARAMETERS ?? defaultParameters(networkName, chainId);
  if (parameters !== undefined && !existsSync(parameters)) {
    throw new ScriptInputError(`TWINPATH_IGNITION_PARAMETERS: no file at ${parameters}`);
  }
  const deploymentId =
    env.TWINPATH_DEPLOYMENT_ID ?? (chainId === LOCAL_CHAIN_ID && !simulated ? `chain-${chainId}-local-${Date.now()}` : undefined);

  console.log(`Deploying Twinpath to ${networkName} (chain ${chainId}) from ${deployer.account.address}`);
  console.log(`  parameters: ${parameters ? relative(process.cwd(), parameters) : "(module defaults)"}`);
  const { modelRegistry, nodeRegistry, inferenceHub } = await ignition.deploy(TwinpathModule, {
    parameters,
    deploymentId,
    displayUi: false,
  });

  const contracts = {
    modelRegistry: getAddress(modelRegistry.address),
    nodeRegistry: getAddress(nodeRegistry.address),
    inferenceHub: getAddress(inferenceHub.address),
  };
  console.log("");
  console.table(contracts);
  if (simulated) {
    console.log("In-process network: nothing written (the chain ends with this script). Use --network localhost or remote.");
  } else {
    const path = await writeDeployment({
      chainId,
      network: networkName,
      deployedAt: new Date().toISOString(),
      deployer: getAddress(deployer.account.address),
      contracts,
    });
    console.log(`Wrote ${relative(process.cwd(), path)}`);
    console.log("\nFor the workers:");
    console.log(`  export HUB_ADDRESS=${contracts.inferenceHub}`);
    console.log(`  export MODEL_REGISTRY_ADDRESS=${contracts.modelRegistry}`);
  }
});

function defaultParameters(name: string, id: number): string | undefined {
  const own = join(REPO_ROOT, "ignition", "parameters", `${name}.json`);
  if (existsSync(own)) return own;
  if (id === LOCAL_CHAIN_ID) return join(REPO_ROOT, "ignition", "parameters", "local.json");
  return undefined;
}
