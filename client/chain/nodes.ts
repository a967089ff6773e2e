import { hexToString, trim, type Address, type Hex } from "viem";
import { nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, nodeRoleName } from "../../protocol/enums.js";
import type { FromBlockOption, ReadClient } from "./types.js";

/** A slash of a node's stake, from NodeRegistry's NodeSlashed event. */
export interface NodeSlash {
  amount: bigint;
  /** the hub's reason tag as text (RESULT_TIMEOUT, PROOF_TIMEOUT, OUTPUT_MISMATCH, PROOF_REJECTED, EQUIVOCATION) */
  reason: string;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** A node's registration for one role. */
export interface TwinpathNode {
  address: Address;
  role: NodeRole;
  /** the role's name from the contracts' enum (Executor, Prover, Verifier) */
  roleName: string;
  /** bonded stake now */
  stake: bigint;
  /** registered, with bonded stake >= the role's minimum */
  eligible: boolean;
  slashes: NodeSlash[];
  /** sum of slashes[].amount */
  slashed: bigint;
}

export interface NodesView {
  nodes: TwinpathNode[];
  /** per role name: minimum stake, bonded stake of eligible nodes, eligible count */
  roles: Record<string, { minStake: bigint; totalEligibleStake: bigint; eligibleCount: bigint }>;
}

export interface GetNodesParameters extends FromBlockOption {
  nodeRegistry: Address;
  toBlock?: bigint;
}

/** bytes32 reason tag -> text (a tag that is not text stays hex). */
function reasonText(reason: Hex): string {
  try {
    const text = hexToString(trim(reason, { dir: "right" }));
    return /^[\x20-\x7e]+$/.test(text) ? text : reason;
  } catch {
    return reason;
  }
}

/**
 * Every node that ever registered (NodeRegistered events since `fromBlock`), per role, with its current stake and
 * eligibility and its slashes (NodeSlashed events), plus each role's minimum and total eligible stake.
 */
export async function getNodes(client: ReadClient, { nodeRegistry, fromBlock = 0n, toBlock }: GetNodesParameters): Promise<NodesView> {
  const range = { address: nodeRegistry, abi: nodeRegistryAbi, fromBlock, toBlock, strict: true } as const;
  const [registered, slashed] = await Promise.all([
    client.getContractEvents({ ...range, eventName: "NodeRegistered" }),
    client.getContractEvents({ ...range, eventName: "NodeSlashed" }),
  ]);
  const key = (a: Address, role: number) => `${a.toLowerCase()}:${role}`;
  const slashes = new Map<string, NodeSlash[]>();
  for (const l of slashed) {
    const k = key(l.args.node, l.args.role);
    slashes.set(k, [...(slashes.get(k) ?? []), { amount: l.args.amount, reason: reasonText(l.args.reason), blockNumber: l.blockNumber, transactionHash: l.transactionHash }]);
  }
  const seen = new Set<string>();
  const pairs = registered.filter((l) => !seen.has(key(l.args.node, l.args.role)) && seen.add(key(l.args.node, l.args.role)));
  const read = (functionName: "stakeOf" | "isEligible", node: Address, role: number) =>
    client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName, args: [node, role] });
  const nodes = await Promise.all(
    pairs.map(async ({ args: { node, role } }) => {
      const [stake, eligible] = await Promise.all([read("stakeOf", node, role) as Promise<bigint>, read("isEligible", node, role) as Promise<boolean>]);
      const list = slashes.get(key(node, role)) ?? [];
      return { address: node, role: role as NodeRole, roleName: nodeRoleName(role), stake, eligible, slashes: list, slashed: list.reduce((s, x) => s + x.amount, 0n) };
    }),
  );
  const roles: NodesView["roles"] = {};
  for (const [name, role] of Object.entries(NodeRole)) {
    const [minStake, totalEligibleStake, eligibleCount] = await Promise.all(
      (["minStake", "totalEligibleStake", "eligibleCount"] as const).map((functionName) =>
        client.readContract({ address: nodeRegistry, abi: nodeRegistryAbi, functionName, args: [role] }),
      ),
    );
    roles[name] = { minStake, totalEligibleStake, eligibleCount };
  }
  return { nodes, roles };
}
