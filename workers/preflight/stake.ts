import { formatEther, parseAbi, type Address } from "viem";
import { nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, nodeRoleName } from "../../protocol/enums.js";
import type { TwinpathPublicClient } from "../chain/client.js";

/** One node key's standing in the NodeRegistry for the role it is configured for. */
export interface KeyStanding {
  address: Address;
  eligible: boolean;
  registered: boolean;
  /** bonded stake (what counts; unbonding stake does not) */
  stake: bigint;
  minStake: bigint;
  /** stake waiting out the unbonding delay */
  unbonding: bigint;
  suspended: boolean;
  /** unix seconds: `reinstate(role)` is allowed from then on */
  suspendedUntil: bigint;
}

/** The NodeRegistry's public views outside INodeRegistry; test/workers/operator.units checks them against the artifact. */
export const registryViewsAbi = parseAbi([
  "function isRegistered(address node, uint8 role) view returns (bool)",
  "function unbondingOf(address node, uint8 role) view returns (uint256 amount, uint256 readyAt)",
  "function suspendedUntil(address node, uint8 role) view returns (bool suspended, uint256 until)",
]);

export async function keyStanding(client: TwinpathPublicClient, nodeRegistry: Address, role: NodeRole, address: Address): Promise<KeyStanding> {
  const args = [address, role] as const;
  const [eligible, stake, minStake, registered, [unbonding], [suspended, suspendedUntil]] = await Promise.all([
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "isEligible", args }),
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "stakeOf", args }),
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName: "minStake", args: [role] }),
    client.readContract({ address: nodeRegistry, abi: registryViewsAbi, functionName: "isRegistered", args }),
    client.readContract({ address: nodeRegistry, abi: registryViewsAbi, functionName: "unbondingOf", args }),
    client.readContract({ address: nodeRegistry, abi: registryViewsAbi, functionName: "suspendedUntil", args }),
  ]);
  return { address, eligible, registered, stake, minStake, unbonding, suspended, suspendedUntil };
}

/**
 * Why a key cannot serve its role, and the one call that fixes it (workers/README.md, "Stake"). The registry's
 * eligibility rule: registered, not suspended, bonded stake at least `minStake(role)`.
 */
export function standingProblem(s: KeyStanding, role: NodeRole, nodeRegistry: Address, nowSeconds = BigInt(Math.floor(Date.now() / 1000))): string {
  const name = nodeRoleName(role);
  const registry = `NodeRegistry(${nodeRegistry})`;
  const roleArg = `${role} /* ${name} */`;
  const unbonding = s.unbonding > 0n ? ` (${formatEther(s.unbonding)} ETH unbonding does not count)` : "";
  let why: string;
  let fix: string;
  if (!s.registered) {
    why = "has no stake";
    fix = `Stake it with ${registry}.register(${roleArg}) sending at least ${formatEther(s.minStake)} ETH from that account`;
  } else if (s.suspended) {
    const until = new Date(Number(s.suspendedUntil) * 1000).toISOString();
    why = `is suspended until ${until} (a verification node silent through the hub's silenceLimit rounds is suspended for its suspension period)`;
    fix =
      s.suspendedUntil <= nowSeconds
        ? `The suspension is over: call ${registry}.reinstate(${roleArg}) from that account`
        : `Wait until ${until}, then call ${registry}.reinstate(${roleArg}) from that account`;
  } else if (s.stake < s.minStake) {
    why = `has ${formatEther(s.stake)} ETH staked${unbonding}, below the minimum ${formatEther(s.minStake)} ETH`;
    fix = `Top it up with ${registry}.increaseStake(${roleArg}) sending at least ${formatEther(s.minStake - s.stake)} ETH from that account`;
  } else {
    // staked enough, not suspended, yet not in the eligible set: the minimum changed and the re-check is pending
    why = `has ${formatEther(s.stake)} ETH staked but was not re-checked since the minimum stake changed`;
    fix = `Call ${registry}.resyncEligibility(${roleArg}, 200) until pendingResync(${role}) is 0 (anyone may), or increaseStake from that account`;
  }
  return `${s.address} is not an eligible ${name} node: it ${why}. ${fix} (workers/README.md, "Stake"), or remove the key.`;
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
