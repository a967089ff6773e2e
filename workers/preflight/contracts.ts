import { getAddress, isAddressEqual, parseAbi, zeroAddress, type Address } from "viem";
import { attestationQuorumAbi, inferenceHubAbi, modelRegistryAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../chain/client.js";

/**
 * Is each configured address the contract it claims to be? Each protocol contract is recognised by views only it
 * has (two per contract, read from the ABIs generated from the artifacts), so a wrong address is named for what
 * it is: "HUB_ADDRESS 0x… is the ModelRegistry", "no contract code at 0x…". Probing views rather than comparing
 * code hashes with the build artifacts keeps a deployment made from another build (a patched release, another
 * compiler setting, the immutables every deployment bakes into its code) usable, while still catching the
 * mistakes that happen: a swapped address, the wrong network, a deployment that never happened. Then the
 * registries and the AttestationQuorum are taken from the hub itself, so MODEL_REGISTRY_ADDRESS must be the hub's
 * own registry, and the quorum must serve that hub and weigh votes by that hub's NodeRegistry.
 */
export type ContractKind = "InferenceHub" | "ModelRegistry" | "NodeRegistry" | "AttestationQuorum";

/** The hub's public immutables (the implementation's, not in IInferenceHub); test/workers/preflight checks them against the artifact. */
export const hubLinksAbi = parseAbi(["function models() view returns (address)", "function nodes() view returns (address)"]);
/** The AttestationQuorum's public views outside IAttestationQuorum; test/workers/operator.units checks them too. */
export const quorumLinksAbi = parseAbi(["function nodes() view returns (address)", "function domainSeparator() view returns (bytes32)"]);

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
  AttestationQuorum: (client, address) => [
    client.readContract({ address, abi: attestationQuorumAbi, functionName: "lastVotedRound", args: [zeroAddress] }),
    client.readContract({ address, abi: quorumLinksAbi, functionName: "domainSeparator" }),
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
  /** where verification nodes vote (the hub's `attestationQuorum()`, also the EIP-712 verifying contract) */
  attestationQuorum: Address;
}

const article = (kind: string) => (kind === "no code" ? "an address with no contract code" : kind === "another contract" ? "a contract that is none of the protocol's" : `the ${kind}`);

/**
 * Checks HUB_ADDRESS (and MODEL_REGISTRY_ADDRESS when given) and returns the hub's registries and quorum, or the
 * problems, one per variable, each saying what the address is instead. `where` names the chain and RPC for "no
 * code" messages. With `quorum` (verification nodes, whose votes would otherwise all revert), the hub's
 * AttestationQuorum must be one, serve this hub (its one-time `setHub` done) and read stake from the hub's
 * NodeRegistry.
 */
export async function checkProtocolAddresses(
  client: TwinpathPublicClient,
  configured: { hub: Address; modelRegistry?: Address; quorum?: boolean },
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
  const [modelRegistry, nodeRegistry, attestationQuorum] = await Promise.all([
    client.readContract({ address: configured.hub, abi: hubLinksAbi, functionName: "models" }),
    client.readContract({ address: configured.hub, abi: hubLinksAbi, functionName: "nodes" }),
    client.readContract({ address: configured.hub, abi: inferenceHubAbi, functionName: "attestationQuorum" }),
  ]);
  // The workers read records in groups (chain/requestReader): a hub from before getRequests would fail every read.
  const grouped = await client.readContract({ address: configured.hub, abi: inferenceHubAbi, functionName: "getRequests", args: [[]] }).then(
    () => true,
    () => false,
  );
  if (!grouped) {
    problems.push({ variable: "HUB_ADDRESS", message: `the InferenceHub at ${configured.hub} predates getRequests(uint256[]), which these workers read requests with: redeploy the protocol (npm run deploy) or run the workers of its release` });
  }
  if (configured.modelRegistry && !isAddressEqual(configured.modelRegistry, modelRegistry)) {
    const kind = await identifyContract(client, configured.modelRegistry);
    problems.push({
      variable: "MODEL_REGISTRY_ADDRESS",
      message: `${configured.modelRegistry} is ${article(kind)}, not the hub's ModelRegistry: the hub at ${configured.hub} uses ${getAddress(modelRegistry)}`,
    });
  }
  if (configured.quorum) {
    const problem = await quorumProblem(client, configured.hub, nodeRegistry, attestationQuorum);
    if (problem) problems.push({ variable: "HUB_ADDRESS", message: problem });
  }
  return { addresses: { hub: configured.hub, modelRegistry, nodeRegistry, attestationQuorum }, problems };
}

/** Why the hub's AttestationQuorum cannot count this node's votes, if it cannot (a deployment not finished or mixed). */
async function quorumProblem(client: TwinpathPublicClient, hub: Address, nodeRegistry: Address, quorum: Address): Promise<string | undefined> {
  const kind = await identifyContract(client, quorum);
  if (kind !== "AttestationQuorum") return `the hub at ${hub} names ${quorum} as its attestationQuorum(), which is ${article(kind)}: votes cannot be recorded`;
  const [servedHub, nodes] = await Promise.all([
    client.readContract({ address: quorum, abi: attestationQuorumAbi, functionName: "hub" }),
    client.readContract({ address: quorum, abi: quorumLinksAbi, functionName: "nodes" }),
  ]);
  if (!isAddressEqual(servedHub, hub)) {
    return (
      `the hub's AttestationQuorum ${quorum} serves ${isAddressEqual(servedHub, zeroAddress) ? "no hub yet (its admin never called setHub)" : `another hub, ${getAddress(servedHub)}`}: ` +
      "votes sent to it would revert; finish or redo the deployment"
    );
  }
  if (!isAddressEqual(nodes, nodeRegistry)) {
    return `the hub's AttestationQuorum ${quorum} weighs votes by the NodeRegistry ${getAddress(nodes)}, the hub slashes and pays through ${getAddress(nodeRegistry)}: a mixed deployment`;
  }
  return undefined;
}
