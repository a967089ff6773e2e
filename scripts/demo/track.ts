/**
 * Follows requests to their end state and prices them from chain data: fast-path latency (request mined -> result
 * on chain), time to settlement (request mined -> settled), and the gas each step cost per request. Used by the demo
 * (and, through it, bench/proofpath.ts).
 *
 * Lifecycle from the hub's and the quorum's events (the client library's decoding, one poll of the logs per tick,
 * not a read per request); gas from every transaction sent to the hub or its quorum, named by the function it called
 * (its step) and shared equally by the requests its arguments name (a batch of 16 costs each item a sixteenth).
 * Reverted transactions and those whose items another node had already done (a lost settle race) count too: that
 * gas was spent on those requests.
 */
import { decodeFunctionData, type Address, type Hex } from "viem";
import { attestationQuorumAbi, inferenceHubAbi } from "../../protocol/abi/generated.js";
import type { TwinpathPublicClient } from "../../workers/chain/client.js";
import { RequestStatus, requestStatusName } from "../../protocol/enums.js";
import { getRequestEvents, STATUS_AFTER, type RequestEvent } from "../../client/chain/events.js";
import { percentile } from "../../devnet/stats.js";

export { percentile };

export interface TrackedRequest {
  requestId: bigint;
  /** wall-clock ms when the request transaction was mined */
  minedAt: number;
  /** this request's share of its request transaction's gas */
  requestGas: number;
  /** requests made by that transaction */
  batch: number;
}

/** Steps after the request, each a transaction type. */
export const STEPS = ["result", "proof", "attestations", "settle"] as const;
export type Step = (typeof STEPS)[number];
export type StepGas = Record<Step, number>;

export interface RequestOutcome {
  requestId: string;
  status: string;
  fastMs: number | null;
  settleMs: number | null;
  mismatch: boolean;
  /** the model's answer: index of the largest output element, proven if a proof landed, else the fast result's */
  answer: number | null;
  /** requests in this request's request transaction */
  batch: number;
  /** gas per request by step (request, result, proof, attestations, settle), and the total */
  gas: { request: number } & StepGas & { total: number };
}

export interface Timeline {
  status: number;
  /** wall-clock ms when the result, the proof and the end state were first seen */
  fastAt?: number;
  proofAt?: number;
  settledAt?: number;
}

export interface StatusChange {
  requestId: bigint;
  status: number;
  at: number;
}

const DONE: number[] = [RequestStatus.Settled, RequestStatus.Refunded];

/**
 * Polls the hub's and quorum's request events every `pollMs` until every request is Settled or Refunded (or the
 * timeout), noting when each step was first seen. `onChanges` hears each poll's status changes together (a batch
 * moves at once).
 */
export async function followRequests(
  client: TwinpathPublicClient,
  contracts: { hub: Address; quorum: Address },
  fromBlock: bigint,
  requests: readonly TrackedRequest[],
  timeoutMs: number,
  onChanges?: (changes: StatusChange[]) => void,
  /** told, every `idleMs` without a change, which requests are still open and in which status */
  onIdle?: (open: { requestId: bigint; status: number }[]) => void,
  pollMs = 100,
  idleMs = 30_000,
): Promise<Map<bigint, Timeline>> {
  const state = new Map<bigint, Timeline>(requests.map((r) => [r.requestId, { status: RequestStatus.Requested }]));
  const deadline = Date.now() + timeoutMs;
  let next = fromBlock;
  let quietSince = Date.now();
  while (Date.now() < deadline && [...state.values()].some((s) => !DONE.includes(s.status))) {
    if (Date.now() - quietSince >= idleMs) {
      onIdle?.([...state.entries()].filter(([, s]) => !DONE.includes(s.status)).map(([requestId, s]) => ({ requestId, status: s.status })));
      quietSince = Date.now();
    }
    const head = await client.getBlockNumber();
    if (head >= next) {
      const events = await getRequestEvents(client, { hub: contracts.hub, quorum: contracts.quorum, fromBlock: next, toBlock: head });
      const now = Date.now();
      const changes: StatusChange[] = [];
      for (const e of events) {
        const s = state.get(e.args.requestId);
        const status = STATUS_AFTER[e.eventName];
        if (!s || status === undefined || status === s.status || DONE.includes(s.status)) continue;
        s.status = status;
        if (status === RequestStatus.Executed) s.fastAt ??= now;
        if (status === RequestStatus.ProofSubmitted) s.proofAt ??= now;
        if (DONE.includes(status)) s.settledAt = now;
        changes.push({ requestId: e.args.requestId, status, at: now });
      }
      if (changes.length) {
        onChanges?.(changes);
        quietSince = now;
      }
      next = head + 1n;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return state;
}

/** Which step each function of the hub and the quorum is (functions not listed are no request's step). */
const STEP_OF: Record<string, Step> = {
  submitResult: "result",
  submitResults: "result",
  submitProof: "proof",
  submitProofs: "proof",
  commitProof: "proof",
  commitProofs: "proof",
  submitBatchProof: "proof",
  commitBatchProof: "proof",
  commitChallenge: "proof",
  challenge: "proof",
  submitAttestations: "attestations",
  submitAttestationBatch: "attestations",
  settle: "settle",
  settleMany: "settle",
  settleUnchallenged: "settle",
  selfSettle: "settle",
};

/** The requests a call names, from its arguments. */
function requestIdsOf(functionName: string, args: readonly unknown[]): bigint[] {
  switch (functionName) {
    case "submitResults":
    case "submitProofs":
    case "commitProofs":
    case "submitBatchProof":
    case "commitBatchProof":
    case "settleMany":
      return [...(args[0] as readonly bigint[])];
    case "submitAttestations":
      return (args[0] as readonly { requestId: bigint }[]).map((a) => a.requestId);
    case "submitAttestationBatch":
      return (args[2] as readonly { attestation: { requestId: bigint } }[]).map((v) => v.attestation.requestId);
    default:
      return [args[0] as bigint];
  }
}

/** Per step: transactions sent, how many reverted, their gas, the items (requests) they named, and per function called. */
export type StepTransactions = Record<Step, StepTotals>;
export interface StepTotals {
  transactions: number;
  reverted: number;
  gas: number;
  items: number;
  /** transactions per function (e.g. settleMany: 4) */
  calls: Record<string, number>;
}

/**
 * Gas per request and step of every transaction to the hub or its quorum in [fromBlock, toBlock] (reverted ones
 * included), each transaction's gas shared equally by the distinct requests it names; and per step, the
 * transactions behind it.
 */
export async function gasBySteps(
  client: TwinpathPublicClient,
  contracts: { hub: Address; quorum: Address },
  fromBlock: bigint,
  toBlock: bigint,
): Promise<{ perRequest: Map<bigint, StepGas>; transactions: StepTransactions }> {
  const abiOf = new Map<string, typeof inferenceHubAbi | typeof attestationQuorumAbi>([
    [contracts.hub.toLowerCase(), inferenceHubAbi],
    [contracts.quorum.toLowerCase(), attestationQuorumAbi],
  ]);
  const calls: { hash: Hex; step: Step; fn: string; ids: bigint[] }[] = [];
  const blocks: bigint[] = [];
  for (let b = fromBlock; b <= toBlock; b++) blocks.push(b);
  await inChunks(blocks, 16, async (blockNumber) => {
    const block = await client.getBlock({ blockNumber, includeTransactions: true });
    for (const tx of block.transactions) {
      const abi = tx.to ? abiOf.get(tx.to.toLowerCase()) : undefined;
      if (!abi) continue;
      const call = decodeFunctionData({ abi, data: tx.input });
      const step = STEP_OF[call.functionName];
      if (step) calls.push({ hash: tx.hash, step, fn: call.functionName, ids: [...new Set(requestIdsOf(call.functionName, call.args ?? []))] });
    }
  });
  // A ZKML_ATTESTED batch proof's one round is keyed by its first request: a vote naming it is a vote for each
  // request of the batch, and its gas is theirs to share.
  const batchOf = new Map<bigint, bigint[]>();
  for (const c of calls) if (c.fn === "commitBatchProof") batchOf.set(c.ids[0], c.ids);
  for (const c of calls) if (c.step === "attestations") c.ids = [...new Set(c.ids.flatMap((id) => batchOf.get(id) ?? [id]))];
  const perRequest = new Map<bigint, StepGas>();
  const transactions = Object.fromEntries(STEPS.map((s) => [s, { transactions: 0, reverted: 0, gas: 0, items: 0, calls: {} }])) as StepTransactions;
  await inChunks(calls, 16, async ({ hash, step, fn, ids }) => {
    const receipt = await client.getTransactionReceipt({ hash });
    const gas = Number(receipt.gasUsed);
    const t = transactions[step];
    t.transactions++;
    t.gas += gas;
    t.items += ids.length;
    t.calls[fn] = (t.calls[fn] ?? 0) + 1;
    if (receipt.status !== "success") t.reverted++;
    for (const id of ids) {
      const g = perRequest.get(id) ?? zeroSteps();
      g[step] += gas / ids.length;
      perRequest.set(id, g);
    }
  });
  return { perRequest, transactions };
}

const zeroSteps = (): StepGas => ({ result: 0, proof: 0, attestations: 0, settle: 0 });

async function inChunks<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Index of the largest element (a classifier's class). */
export const argmax = (v: readonly bigint[]): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

/** Per request, its answer (argmax): of the proven output when a proof was submitted, else of the fast result. */
function answers(events: readonly RequestEvent[]): Map<bigint, number> {
  const out = new Map<bigint, number>();
  for (const e of events) if (e.eventName === "ResultSubmitted") out.set(e.args.requestId, argmax(e.args.output));
  for (const e of events) if (e.eventName === "ProofSubmitted") out.set(e.args.requestId, argmax(e.args.output));
  return out;
}

/** Each request's row: end state, latencies, answer, gas by step; and the transactions behind each step. */
export async function outcomes(
  client: TwinpathPublicClient,
  contracts: { hub: Address; quorum: Address },
  fromBlock: bigint,
  requests: readonly TrackedRequest[],
  state: ReadonlyMap<bigint, Timeline>,
): Promise<{ rows: RequestOutcome[]; transactions: StepTransactions }> {
  const toBlock = await client.getBlockNumber();
  const { perRequest, transactions } = await gasBySteps(client, contracts, fromBlock, toBlock);
  const events = await getRequestEvents(client, { hub: contracts.hub, quorum: contracts.quorum, fromBlock, toBlock });
  const mismatched = new Set(events.filter((e) => e.eventName === "ExecutorMismatch").map((e) => e.args.requestId));
  const answer = answers(events);
  const rows = requests.map((r) => {
    const s = state.get(r.requestId)!;
    const g = perRequest.get(r.requestId) ?? zeroSteps();
    const total = r.requestGas + STEPS.reduce((sum, k) => sum + g[k], 0);
    return {
      requestId: r.requestId.toString(),
      status: requestStatusName(s.status),
      fastMs: s.fastAt === undefined ? null : s.fastAt - r.minedAt,
      settleMs: s.status === RequestStatus.Settled && s.settledAt !== undefined ? s.settledAt - r.minedAt : null,
      mismatch: mismatched.has(r.requestId),
      answer: answer.get(r.requestId) ?? null,
      batch: r.batch,
      gas: { request: Math.round(r.requestGas), ...roundAll(g), total: Math.round(total) },
    };
  });
  return { rows, transactions };
}

const roundAll = (g: StepGas) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Math.round(v)])) as StepGas;
