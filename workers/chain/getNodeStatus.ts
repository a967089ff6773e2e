/**
 * One node's standing, per role: registered, bonded stake, eligible, open duties, unbonding (amount, when it can
 * leave), suspension; and its balance at the hub (earned fees to withdraw). `twinpath node status` prints it.
 */
import type { Address } from "viem";
import { inferenceHubAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import { NodeRole, type NodeRoleName } from "../../protocol/enums.js";
import type { TwinpathPublicClient } from "./client.js";

export interface NodeRoleStatus {
  role: NodeRole;
  roleName: NodeRoleName;
  registered: boolean;
  /** bonded stake, wei */
  stake: bigint;
  minStake: bigint;
  eligible: boolean;
  /** open requests the node owes a result (Executor) or a proof (Prover) on: stake cannot leave until 0 */
  duties: bigint;
  unbonding: { amount: bigint; readyAt: bigint };
  suspended: { suspended: boolean; until: bigint };
}

export interface NodeStatus {
  node: Address;
  roles: NodeRoleStatus[];
  /** the hub's pull balance of the node (fees, slash rewards), wei */
  releasable: bigint;
  /** seconds */
  unbondingDelay: bigint;
  /** the chain's latest block timestamp, to read readyAt/until against */
  chainTime: bigint;
}

export interface GetNodeStatusParameters {
  nodeRegistry: Address;
  hub: Address;
  node: Address;
}

export async function getNodeStatus(client: TwinpathPublicClient, p: GetNodeStatusParameters): Promise<NodeStatus> {
  const reg = { address: p.nodeRegistry, abi: nodeRegistryAbi } as const;
  const roles = await Promise.all(
    (Object.entries(NodeRole) as [NodeRoleName, NodeRole][]).map(async ([roleName, role]): Promise<NodeRoleStatus> => {
      const args = [p.node, role] as const;
      const [registered, stake, minStake, eligible, duties, unbonding, suspended] = await Promise.all([
        client.readContract({ ...reg, functionName: "isRegistered", args }),
        client.readContract({ ...reg, functionName: "stakeOf", args }),
        client.readContract({ ...reg, functionName: "minStake", args: [role] }),
        client.readContract({ ...reg, functionName: "isEligible", args }),
        client.readContract({ ...reg, functionName: "dutiesOf", args }),
        client.readContract({ ...reg, functionName: "unbondingOf", args }),
        client.readContract({ ...reg, functionName: "suspendedUntil", args }),
      ]);
      return {
        role,
        roleName,
        registered,
        stake,
        minStake,
        eligible,
        duties,
        unbonding: { amount: unbonding[0], readyAt: unbonding[1] },
        suspended: { suspended: suspended[0], until: suspended[1] },
      };
    }),
  );
  const [releasable, unbondingDelay, block] = await Promise.all([
    client.readContract({ address: p.hub, abi: inferenceHubAbi, functionName: "releasable", args: [p.node] }),
    client.readContract({ ...reg, functionName: "unbondingDelay" }),
    client.getBlock({ blockTag: "latest" }),
  ]);
  return { node: p.node, roles, releasable, unbondingDelay, chainTime: block.timestamp };
}
