/**
 * A node operator's chain actions on NodeRegistry and the hub: register for a role with stake, add stake, start
 * unbonding, withdraw unbonded stake, withdraw earned fees (the hub's pull balance). Each simulates first, so a
 * refusal throws the contract's decoded custom error (protocolError.ts) before anything is sent, then waits for the
 * receipt. `twinpath node …`, the devnet and the tests stake through these.
 */
import type { Abi, Address, Hash, TransactionReceipt } from "viem";
import { inferenceHubAbi, nodeRegistryAbi } from "../../protocol/abi/generated.js";
import type { NodeRole } from "../../protocol/enums.js";
import { ChainError } from "../shared/errors.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "./client.js";

export interface StakingReturnType {
  hash: Hash;
  receipt: TransactionReceipt;
}

export interface StakeParameters {
  nodeRegistry: Address;
  role: NodeRole;
  /** wei */
  amount: bigint;
}

async function send(
  wallet: TwinpathWalletClient,
  client: TwinpathPublicClient,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
  label: string,
): Promise<StakingReturnType> {
  const { request } = await client.simulateContract({ ...call, account: wallet.account } as never);
  const hash = await wallet.writeContract(request as never);
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new ChainError(`${label} transaction ${hash} reverted in block ${receipt.blockNumber}`);
  return { hash, receipt };
}

/** Registers the wallet's account for `role` with `amount` as stake (at least the role's minimum). */
export function registerNode(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: StakeParameters): Promise<StakingReturnType> {
  return send(wallet, client, { address: p.nodeRegistry, abi: nodeRegistryAbi, functionName: "register", args: [p.role], value: p.amount }, "register");
}

/** Adds `amount` to the account's bonded stake for `role`. */
export function increaseStake(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: StakeParameters): Promise<StakingReturnType> {
  return send(wallet, client, { address: p.nodeRegistry, abi: nodeRegistryAbi, functionName: "increaseStake", args: [p.role], value: p.amount }, "increaseStake");
}

/** Moves `amount` of bonded stake into unbonding (withdrawable after the unbonding delay, once no duty is open). */
export function beginUnbonding(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: StakeParameters): Promise<StakingReturnType> {
  return send(wallet, client, { address: p.nodeRegistry, abi: nodeRegistryAbi, functionName: "beginUnbonding", args: [p.role, p.amount] }, "beginUnbonding");
}

/** Withdraws the account's unbonded stake for `role` (all of it). */
export function withdrawUnbonded(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: Omit<StakeParameters, "amount">): Promise<StakingReturnType> {
  return send(wallet, client, { address: p.nodeRegistry, abi: nodeRegistryAbi, functionName: "withdrawUnbonded", args: [p.role] }, "withdrawUnbonded");
}

/** Withdraws the account's balance at the hub (fees earned, slash rewards, refunds). */
export function withdrawHubBalance(wallet: TwinpathWalletClient, client: TwinpathPublicClient, p: { hub: Address }): Promise<StakingReturnType> {
  return send(wallet, client, { address: p.hub, abi: inferenceHubAbi, functionName: "withdraw", args: [] }, "withdraw");
}
