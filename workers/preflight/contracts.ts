import { getAddress, isAddressEqual, parseAbi, type Address } from "viem";
import { inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../chain/client.js";

/**
 * Is each configured address the contract it claims to be? Each protocol contract is recognised by views only it
 * has (two per contract, read from the ABIs generated from the artifacts), so a wrong address is named for what
 * it is: "HUB_ADDRESS 0x… is the ModelRegistry", "no contract code at 0x…". Probing views rather than comparing
 * code hashes with the build artifacts keeps a deployment made from another build (a patched release, another
 * compiler setting, the immutables every deployment bakes into its code) usable, while still catching the
 * mistakes that happen: a swapped address, the wrong network, a deployment that never happened. Then the
 * registries are taken from the hub itself, so MODEL_REGISTRY_ADDRESS must be the hub's own registry.
 */
export type ContractKind = "InferenceHub" | "ModelRegistry" | "NodeRegistry";

/** The hub's public immutables (the implementation's, not in IInferenceHub); test/workers/preflight checks them against the artifact. */
export const hubLinksAbi = parseAbi(["function models() view returns (address)", "function nodes() view returns (address)"]);

const PROBES: Record<ContractKind, (client: TwinpathPublicClient, address: Address) => Promise<unknown>[]> = {
  InferenceHub: (client, address) => [
    client.readContract({ address, abi: inferenceHubAbi, functionName: "requestCount" }),
    client.readContract({ address, abi: inferenceHubAbi, functionName: "accountedBalance" }),
  ],
  ModelRegistry: (client, address) => [
    client.readContract({ address, abi: modelRegistryAbi, functionName: "modelCount" }),
    client.readContract({ address, abi: modelRegistryAbi, functionName: "getModel", args: [0n] }).catch((err: unknown) => {
      // model 0 never exists: a ModelRegistry answers with its own custom error, anything else is not one
      if (!/ModelRegistry/.test(String((err as { message?: string }).message))) throw err;
    }),
  ],
  NodeRegistry: (client, address) => [
    client.readContract({ address, abi: nodeRegistryAbi, functionName: "unbondingDelay" }),
    client.readContract({ address, abi: nodeRegistryAbi, functionName: "hub" }),
  ],
};

/** What is at `address`: a protocol contract, "no code", or "another contract". */
export async function identifyContract(client: TwinpathPublicClient, address: Address): Promise<ContractKind | "no code" | "another contract"> {
  const code = await client.getCode({ address });
  if (!code || code === "0x") return "no code";
  for (const kind of Object.keys(PROBES) as ContractKind[]) {
    const ok = await Promise.all(PROBES[kind](client, address)).then(
      () => true,
      () => false,
    );
    if (ok) return kind;
  }
  return "another contract";
}

export interface AddressProblem {
  variable: string;
  message: string;
}

export interface ProtocolAddresses {
  hub: Address;
  modelRegistry: Address;
  nodeRegistry: Address;
}

const article = (kind: string) => (kind === "no code" ? "an address with no contract code" : kind === "another contract" ? "a contract that is none of the protocol's" : `the ${kind}`);

/**
 * Checks HUB_ADDRESS (and MODEL_REGISTRY_ADDRESS when given) and returns the hub's registries, or the problems, one
 * per variable, each saying what the address is instead. `where` names the chain and RPC for "no code" messages.
 */
export async function checkProtocolAddresses(
  client: TwinpathPublicClient,
  configured: { hub: Address; modelRegistry?: Address },
  where: string,
): Promise<{ addresses?: ProtocolAddresses; problems: AddressProblem[] }> {
  const problems: AddressProblem[] = [];
  const hubKind = await identifyContract(client, configured.hub);
  if (hubKind !== "InferenceHub") {
    problems.push({
      variable: "HUB_ADDRESS",
      message:
        `${configured.hub} is ${article(hubKind)} on ${where}, not an InferenceHub` +
        (hubKind === "no code" ? " (wrong network, a typo, or the protocol is not deployed there)" : "") +
        " — use the inferenceHub address of deployments/<chainId>.json",
    });
    return { problems };
  }
  const [modelRegistry, nodeRegistry] = await Promise.all([
    client.readContract({ address: configured.hub, abi: hubLinksAbi, functionName: "models" }),
    client.readContract({ address: configured.hub, abi: hubLinksAbi, functionName: "nodes" }),
  ]);
  if (configured.modelRegistry && !isAddressEqual(configured.modelRegistry, modelRegistry)) {
    const kind = await identifyContract(client, configured.modelRegistry);
    problems.push({
      variable: "MODEL_REGISTRY_ADDRESS",
      message: `${configured.modelRegistry} is ${article(kind)}, not the hub's ModelRegistry: the hub at ${configured.hub} uses ${getAddress(modelRegistry)}`,
    });
  }
  return { addresses: { hub: configured.hub, modelRegistry, nodeRegistry }, problems };
}
