/**
 * Follows requests to their end state and prices them from chain data: fast-path latency (request mined -> result
 * on chain), time to settlement, and the gas each transaction type cost per request (a batched transaction's gas
 * is shared equally among its items). Used by the demo and bench/proofpath.ts.
 */
import { parseEventLogs, type Address, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../../workers/chain/client.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";

export interface TrackedRequest {
  requestId: bigint;
  /** wall-clock ms when the request transaction was mined */
  minedAt: number;
  requestGas: bigint;
}

export interface RequestOutcome {
  requestId: string;
  status: string;
  fastMs: number | null;
  settleMs: number | null;
  mismatch: boolean;
  /** gas per request by step (request, result, proof, attestations, settle), and the total */
  gas: { request: number; result: number; proof: number; attestations: number; settle: number; total: number };
}

const DONE: number[] = [RequestStatus.Settled, RequestStatus.Refunded];

/** Polls until every request is Settled or Refunded (or the timeout), noting when each was first executed and settled. */
export async function trackRequests(client: TwinpathPublicClient, hub: Address, requests: TrackedRequest[], timeoutMs: number, onChange?: (id: bigint, status: number) => void): Promise<Map<bigint, { status: number; fastAt?: number; settledAt?: number }>> {
  const state = new Map(requests.map((r) => [r.requestId, { status: RequestStatus.Requested as number, fastAt: undefined as number | undefined, settledAt: undefined as number | undefined }]));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = [...state.entries()].filter(([, s]) => !DONE.includes(s.status));
    if (!open.length) break;
    await Promise.all(
      open.map(async ([id, s]) => {
        const status = Number(await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "status", args: [id] }));
        const now = Date.now();
        if (status !== s.status) onChange?.(id, status);
        if (status >= RequestStatus.Executed && s.fastAt === undefined) s.fastAt = now;
        if (DONE.includes(status)) s.settledAt = now;
        s.status = status;
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
  }
  return state;
}

type Step = "result" | "proof" | "attestations" | "settle";

/**
 * Gas per request and step from the hub's events since `fromBlock`, and its AttestationQuorum's (votes go there;
 * the hub's settle is a step of its own).
 */
export async function gasByRequest(client: TwinpathPublicClient, hub: Address, fromBlock: bigint): Promise<Map<bigint, Record<Step, number>>> {
  const logs = await client.getContractEvents({ address: hub, abi: inferenceHubAbi, fromBlock, strict: true });
  const quorum = await client.readContract({ address: hub, abi: inferenceHubAbi, functionName: "attestationQuorum" });
  const votes = await client.getContractEvents({ address: quorum, abi: attestationQuorumAbi, eventName: "AttestationRecorded", fromBlock, strict: true });
  const byTx = new Map<Hex, { step: Step; requestId: bigint }[]>();
  const add = (tx: Hex, step: Step, requestId: bigint) => {
    const list = byTx.get(tx) ?? [];
    if (!list.some((i) => i.step === step && i.requestId === requestId)) list.push({ step, requestId });
    byTx.set(tx, list);
  };
  for (const l of logs) {
    const args = l.args as { requestId?: bigint };
    if (args.requestId === undefined) continue;
    if (l.eventName === "ResultSubmitted") add(l.transactionHash, "result", args.requestId);
    else if (l.eventName === "ProofSubmitted" || l.eventName === "Challenged") add(l.transactionHash, "proof", args.requestId);
  }
  for (const l of votes) add(l.transactionHash, "attestations", l.args.requestId);
  // settle / settleUnchallenged: a RequestSettled or ProofRejected in a transaction with no other step for that request
  for (const l of logs) {
    if (l.eventName !== "RequestSettled" && l.eventName !== "ProofRejected") continue;
    const list = byTx.get(l.transactionHash);
    if (!list) add(l.transactionHash, "settle", (l.args as { requestId: bigint }).requestId);
  }
  const out = new Map<bigint, Record<Step, number>>();
  for (const [tx, items] of byTx) {
    const receipt = await client.getTransactionReceipt({ hash: tx });
    // attestation transactions of several nodes each count; a batch's gas is shared by its items
    const share = Number(receipt.gasUsed) / items.length;
    for (const { step, requestId } of items) {
      const g = out.get(requestId) ?? { result: 0, proof: 0, attestations: 0, settle: 0 };
      g[step] += share;
      out.set(requestId, g);
    }
  }
  return out;
}

/** Request ids whose settlement emitted ExecutorMismatch. */
export async function mismatches(client: TwinpathPublicClient, hub: Address, fromBlock: bigint): Promise<Set<bigint>> {
  const logs = parseEventLogs({ abi: inferenceHubAbi, logs: await client.getLogs({ address: hub, fromBlock }), eventName: "ExecutorMismatch" });
  return new Set(logs.map((l) => l.args.requestId));
}

export async function outcomes(client: TwinpathPublicClient, hub: Address, fromBlock: bigint, requests: TrackedRequest[], state: Awaited<ReturnType<typeof trackRequests>>): Promise<RequestOutcome[]> {
  const gas = await gasByRequest(client, hub, fromBlock);
  const bad = await mismatches(client, hub, fromBlock);
  return requests.map((r) => {
    const s = state.get(r.requestId)!;
    const g = gas.get(r.requestId) ?? { result: 0, proof: 0, attestations: 0, settle: 0 };
    const request = Number(r.requestGas);
    return {
      requestId: r.requestId.toString(),
      status: requestStatusName(s.status),
      fastMs: s.fastAt === undefined ? null : s.fastAt - r.minedAt,
      settleMs: s.status === RequestStatus.Settled && s.settledAt !== undefined ? s.settledAt - r.minedAt : null,
      mismatch: bad.has(r.requestId),
      gas: { request, ...roundAll(g), total: Math.round(request + g.result + g.proof + g.attestations + g.settle) },
    };
  });
}

const roundAll = (g: Record<Step, number>) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Math.round(v)])) as Record<Step, number>;

export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
