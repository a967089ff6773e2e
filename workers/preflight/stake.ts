import { formatEther, type Address } from "viem";
import { nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, nodeRoleName } from "../../protocol/enums.js";
import type { TwinpathPublicClient } from "../chain/client.js";

/** One node key's standing in the NodeRegistry for the role it is configured for. */
export interface KeyStanding {
  address: Address;
  eligible: boolean;
  stake: bigint;
  minStake: bigint;
}

export async function keyStanding(client: TwinpathPublicClient, nodeRegistry: Address, role: NodeRole, address: Address): Promise<KeyStanding> {
  const [eligible, stake, minStake] = await Promise.all([
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "isEligible", args: [address, role] }),
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args: [address, role] }),
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "minStake", args: [role] }),
  ]);
  return { address, eligible, stake, minStake };
}

/** Why a key cannot serve its role, and what to do about it (workers/README.md, "Stake"). */
export function standingProblem(s: KeyStanding, role: NodeRole, nodeRegistry: Address): string {
  const name = nodeRoleName(role);
  const why =
    s.stake === 0n
      ? "has no stake"
      : s.stake < s.minStake
        ? `has ${formatEther(s.stake)} ETH staked, below the minimum ${formatEther(s.minStake)} ETH`
        : "is staked but not eligible (suspended, or unbonding below the minimum)";
  return (
    `${s.address} is not an eligible ${name} node: it ${why}. ` +
    `Stake it with NodeRegistry(${nodeRegistry}).register(${role} /* ${name} */) sending at least ${formatEther(s.minStake)} ETH from that account ` +
    "(workers/README.md, \"Stake\"), or remove the key."
  );
}

export interface NodeKeysCheck {
  /** the keys that may serve the role */
  eligible: Address[];
  /** one line per key that may not */
  problems: string[];
}

/** The standing of every configured key of one role. */
export async function checkNodeKeys(client: TwinpathPublicClient, nodeRegistry: Address, role: NodeRole, addresses: readonly Address[]): Promise<NodeKeysCheck> {
  const standings = await Promise.all(addresses.map((a) => keyStanding(client, nodeRegistry, role, a)));
  return {
    eligible: standings.filter((s) => s.eligible).map((s) => s.address),
    problems: standings.filter((s) => !s.eligible).map((s) => standingProblem(s, role, nodeRegistry)),
  };
}

export { NodeRole };
