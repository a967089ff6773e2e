/**
 * Batch versions (ModelSpec.batch = N > 1, ZKML_ONCHAIN or ZKML_ATTESTED; contracts/hub/README.md "Batch proofs"): the
 * prove jobs of one version wait here to be proved together. A batch goes when N requests wait, or `waitMs` after its
 * first one came (a partial batch: the hub pads the other slots with zeros); one proof for all of them, sent with one
 * submitBatchProof (ZKML_ONCHAIN) or committed by its hash with one commitBatchProof (ZKML_ATTESTED: the bytes are
 * published in this prover's store once the commitment is mined).
 * At most `maxWaiting` requests wait per version: one more is refused (BatcherFullError), and its job comes back later.
 * Each job must be held while it waits, so the prover's job concurrency (PROVER_CONCURRENCY) bounds the batch size.
 */
import type { Address, Hex } from "viem";
import { fromField, toField } from "../../protocol/instances.js";
import { Batcher } from "../shared/batcher.js";
import type { TxSender } from "../chain/sender/txSender.js";
import type { BundleIndex } from "../proofs/bundles.js";
import { ProvingError } from "../proofs/errors.js";
import type { ProofModel } from "../proofs/models.js";
import { commitBatchProofCall, submitBatchProofCall } from "../proofs/chain.js";
import { VerificationMode } from "../../protocol/enums.js";
import { parseEngineProof, proofInstances, rawProofBytes } from "../proofs/proofJson.js";
import type { ProvingEngine } from "../proofs/provingEngine.js";
import type { ProofStore } from "../proofs/store.js";

/** One request waiting for its batch: its on-chain input (fixed point) and its consumer's callback gas limit. */
export interface BatchSlot {
  hub: Address;
  requestId: bigint;
  input: readonly bigint[];
  /** the request's callbackGasLimit: each settlement runs onSettled under it, in the batch's one transaction */
  callbackGas: number;
}

/** What a request got from its batch. */
export interface BatchSlotOutcome {
  proofHash: Hex;
  proven: bigint[];
  txHash: Hex;
  gasUsed: string;
  /** requests in the batch (the rest of its N slots were padding) */
  requests: number;
  proveMs: number;
}

/** Proves and submits one batch of a version (requests of one hub, at most model.batch); outcomes in `slots` order. */
export type ProveBatch = (model: ProofModel & { batch: number }, slots: BatchSlot[]) => Promise<BatchSlotOutcome[]>;

export interface ProofBatchOptions {
  /** How long the first request of a batch waits for company (ms). */
  waitMs: number;
  /** Requests waiting per version at most (back-pressure). */
  maxWaiting: number;
}

/** One Batcher per (hub, model version), each at most model.batch requests per proof. */
export class ProofBatches {
  private readonly byVersion = new Map<string, Batcher<BatchSlot, BatchSlotOutcome>>();

  constructor(
    private readonly o: ProofBatchOptions,
    private readonly proveBatch: ProveBatch,
  ) {}

  /** Resolves once the request's batch was proved and submitted (rejects with that batch's error). */
  submit(model: ProofModel & { batch: number }, slot: BatchSlot): Promise<BatchSlotOutcome> {
    const key = `${slot.hub.toLowerCase()}-${model.modelId}`;
    let b = this.byVersion.get(key);
    if (!b) {
      b = new Batcher<BatchSlot, BatchSlotOutcome>({
        maxBatchSize: model.batch,
        maxWaitMs: this.o.waitMs,
        maxWaiting: this.o.maxWaiting,
        send: async (slots) => (await this.proveBatch(model, slots)).map((value) => ({ ok: true as const, value })),
      });
      this.byVersion.set(key, b);
    }
    return b.submit(slot);
  }
}

/**
 * The hub's layout of a batch proof: requests in ascending id order (the hub refuses any other), each slot's input,
 * then the padding slots' zeros. Returns the ordered slots and the engine input (floats at the input scale).
 */
export function batchLayout(model: ProofModel & { batch: number }, slots: readonly BatchSlot[]): { ordered: BatchSlot[]; floats: number[] } {
  if (slots.length === 0 || slots.length > model.batch) throw new ProvingError(`a batch of ${slots.length} requests for a version of ${model.batch} slots`);
  const ordered = [...slots].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  ordered.forEach((s, i) => {
    if (i > 0 && s.requestId === ordered[i - 1].requestId) throw new ProvingError(`request ${s.requestId} twice in one batch`);
    if (s.input.length !== model.inputLength) throw new ProvingError(`request ${s.requestId}: ${s.input.length} inputs, the version takes ${model.inputLength}`);
  });
  const scale = 2 ** model.inputScale;
  const floats = [...ordered.flatMap((s) => s.input.map((v) => Number(v) / scale)), ...new Array((model.batch - ordered.length) * model.inputLength).fill(0)];
  return { ordered, floats };
}

/**
 * A batch proof's instances split per slot (every slot's input, then every slot's output), checked against the
 * requests' inputs and the padding's zeros. Returns each request's proven output (fixed point), in `ordered` order.
 */
export function provenOutputs(model: ProofModel & { batch: number }, ordered: readonly BatchSlot[], instances: readonly bigint[]): bigint[][] {
  const { batch: n, inputLength: k, outputLength: m } = model;
  if (instances.length !== n * (k + m)) throw new ProvingError(`batch proof has ${instances.length} instances, expected ${n} x (${k} + ${m})`);
  for (let slot = 0; slot < n; slot++) {
    for (let j = 0; j < k; j++) {
      const want = slot < ordered.length ? toField(ordered[slot].input[j], j) : 0n;
      if (instances[slot * k + j] !== want) throw new ProvingError(`batch proof instance ${slot * k + j} is not slot ${slot}'s input (engine quantised differently)`);
    }
  }
  return Array.from({ length: n }, (_, slot) => instances.slice(n * k + slot * m, n * k + (slot + 1) * m).map(fromField));
}

/**
 * Requests (in id order) split so that no group's callback gas exceeds `budget`: every onSettled of a batch runs in
 * its one transaction, so consumers asking for large callback limits could otherwise push a batch past the block gas
 * limit, and the batch could never be submitted. A request over the budget alone forms its own group.
 */
export function callbackGasGroups(ordered: readonly BatchSlot[], budget: number): BatchSlot[][] {
  const groups: BatchSlot[][] = [];
  let gas = 0;
  for (const s of ordered) {
    const last = groups[groups.length - 1];
    if (last && gas + s.callbackGas <= budget) {
      last.push(s);
      gas += s.callbackGas;
    } else {
      groups.push([s]);
      gas = s.callbackGas;
    }
  }
  return groups;
}

export interface BatchProverContext {
  bundles: BundleIndex;
  pool: ProvingEngine;
  store: ProofStore;
  sender: TxSender;
  /** callback gas of one batch transaction at most (callbackGasGroups) */
  maxCallbackGas: number;
  /** ZKML_ATTESTED: the base URL of this prover's proof store, named in its commitments */
  proofStoreUrl: Promise<string>;
}

/**
 * Proves a batch with the version's registered artifacts and sends it as the hub lays it out: submitBatchProof
 * (ZKML_ONCHAIN), or commitBatchProof with the bytes kept unpublished until the commitment is mined (ZKML_ATTESTED: a
 * hash copied from the pending transaction gets its copier no bytes to serve).
 */
export function createBatchProver(ctx: BatchProverContext): ProveBatch {
  const proveGroup = async (model: ProofModel & { batch: number }, group: BatchSlot[]): Promise<Map<BatchSlot, BatchSlotOutcome>> => {
    const { ordered, floats } = batchLayout(model, group);
    const hub = ordered[0].hub;
    if (ordered.some((s) => s.hub.toLowerCase() !== hub.toLowerCase())) throw new ProvingError("a batch spans two hubs");
    const artifacts = await ctx.bundles.resolve(model);
    const proved = await ctx.pool.prove(artifacts.manifestHash, artifacts, floats);
    const engineProof = parseEngineProof(proved.proof);
    const outputs = provenOutputs(model, ordered, proofInstances(engineProof));
    const raw = rawProofBytes(engineProof);
    const attested = model.mode === VerificationMode.ZKML_ATTESTED;
    const proofHash = await ctx.store.keep(raw, model.mode);
    const ids = ordered.map((s) => s.requestId);
    const inputs = ordered.map((s) => s.input);
    const call = attested
      ? commitBatchProofCall(hub, ids, inputs, outputs, proofHash, await ctx.proofStoreUrl)
      : submitBatchProofCall(hub, ids, inputs, outputs, raw);
    const label = attested ? "commitBatchProof" : "submitBatchProof";
    const sent = await ctx.sender.send({ call, label });
    if (sent.receipt.status !== "success") throw new Error(`${label} transaction ${sent.hash} reverted`);
    if (attested) await ctx.store.publish(proofHash);
    const gasUsed = sent.receipt.gasUsed.toString();
    return new Map(ordered.map((s, i) => [s, { proofHash, proven: outputs[i], txHash: sent.hash, gasUsed, requests: ordered.length, proveMs: proved.proveMs }]));
  };
  return async (model, slots) => {
    const { ordered } = batchLayout(model, slots);
    const outcomes = new Map<BatchSlot, BatchSlotOutcome>();
    for (const group of callbackGasGroups(ordered, ctx.maxCallbackGas)) {
      for (const [s, o] of await proveGroup(model, group)) outcomes.set(s, o);
    }
    return slots.map((s) => outcomes.get(s)!);
  };
}
