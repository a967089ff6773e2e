import { hexToBytes, keccak256, type Hex } from "viem";
import { attestationTypedData, type Attestation } from "../../protocol/attestation.js";
import { RequestStatus, requestStatusName, VerificationMode, verificationModeName } from "../../protocol/enums.js";
import { InstanceRangeError, buildInstances, instancesHash, valuesHash } from "../../protocol/instances.js";
import type { TwinpathPublicClient, TwinpathWalletClient } from "../chain/client.js";
import { classifyFailure, classifyProtocolError } from "../chain/failurePolicy.js";
import type { LogLookupOptions } from "../chain/findLogBackwards.js";
import { getRequest } from "../chain/getRequest.js";
import { failureReason } from "../chain/protocolError.js";
import type { TxSender } from "../chain/sender/txSender.js";
import { addJob, type TypedJob, type TypedQueue } from "../queues/connection.js";
import { failJob } from "../queues/failJob.js";
import type { ClaimJobResult, VerifyJobResult } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { StaleJobError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { WorkerMetrics } from "../shared/metrics.js";
import type { BundleIndex } from "../proofs/bundles.js";
import { claimVerifierRewardCall, getRequestInput } from "../proofs/chain.js";
import { ProofHashMismatchError, UnsupportedModeError } from "../proofs/errors.js";
import type { ProofMetrics } from "../proofs/metrics.js";
import type { ProofModelCache } from "../proofs/models.js";
import type { AttestationBatcher } from "./attestationBatcher.js";
import { settingsInstanceCount, type ProofVerifier, type Verdict } from "./backends.js";

export interface VerifierNodeContext {
  client: TwinpathPublicClient;
  wallet: TwinpathWalletClient;
  sender: TxSender;
  batcher: AttestationBatcher;
  models: ProofModelCache;
  bundles: BundleIndex;
  verifier: ProofVerifier;
  claimRewards: boolean;
  /** this node's own claim queue */
  claimQueue: TypedQueue<"claim">;
  /** bounds of the InferenceRequested lookup (page size, max lookback) */
  logLookup?: LogLookupOptions;
  logger: Logger;
  metrics?: WorkerMetrics;
  proofMetrics?: ProofMetrics;
}

/**
 * The verify job of one verification node: the proof must still be the one under attestation; the node rebuilds
 * the public instances itself from the request's on-chain input and the submitted output at the model's scales
 * (and checks they hash to the hub's instancesHash), verifies the published proof bytes against the registered
 * verifying key and settings (bundle checked against the registry) without re-running the model, and signs an
 * EIP-712 attestation of the verdict, submitted in a batch. A proof that does not verify for these instances gets
 * a signed "invalid".
 */
export function createVerifyProcessor(ctx: VerifierNodeContext) {
  return async (job: TypedJob<"verify">): Promise<VerifyJobResult> => {
    const d = job.data;
    const requestId = BigInt(d.requestId);
    const log = ctx.logger.child({ requestId: d.requestId, proofHash: d.proofHash, attempt: job.attemptsMade + 1 });
    try {
      // 1. Still the proof under attestation?
      const record = await getRequest(ctx.client, { hub: d.hub, requestId });
      if (record.status !== RequestStatus.ProofSubmitted || record.proofHash !== d.proofHash) {
        log.info({ status: requestStatusName(record.status) }, "proof no longer under attestation");
        return { outcome: "skipped", reason: `status ${requestStatusName(record.status)}${record.proofHash !== d.proofHash ? ", another proof" : ""}` };
      }
      const proof = hexToBytes(d.proof);
      if (keccak256(proof) !== d.proofHash) throw new ProofHashMismatchError(`request ${d.requestId}: published proof bytes do not hash to ${d.proofHash}`);

      // 2. The model and its registered artifacts.
      const model = await ctx.models.get(record.modelId);
      if (model.mode !== VerificationMode.ZKML_ATTESTED) throw new UnsupportedModeError(`model ${model.modelId} is ${verificationModeName(model.mode)}, not ZKML_ATTESTED`);
      const artifacts = await ctx.bundles.resolve(model);

      // 3. Instances bound to this request: its input (from the event, checked against the hub's hash) ‖ output.
      const input = await getRequestInput(ctx.client, d.hub, requestId, ctx.logLookup);
      if (!input || valuesHash(input) !== record.inputHash) throw new StaleJobError(`request ${d.requestId}: no InferenceRequested input matching the hub's inputHash`);
      const output = d.output.map(BigInt);
      let verdict: Verdict;
      let instances: bigint[] | null = null;
      try {
        instances = buildInstances(input, output);
      } catch (err) {
        if (!(err instanceof InstanceRangeError)) throw err;
      }
      const expectedCount = settingsInstanceCount(artifacts.settings);
      if (!instances || output.length !== model.outputLength || (expectedCount !== null && instances.length !== expectedCount)) {
        verdict = { valid: false, checks: [] };
        log.warn({ instances: instances?.length, expectedCount }, "instances do not fit the circuit: attesting invalid");
      } else {
        if (instancesHash(instances) !== record.instancesHash) {
          // The hub built its instances with the same rule; a difference means this node and the hub disagree on
          // the binding itself. Do not sign anything in that state.
          throw new StaleJobError(`request ${d.requestId}: instances built here hash to ${instancesHash(instances)}, the hub recorded ${record.instancesHash}`);
        }
        // 4. Verify (never re-running the model).
        verdict = await ctx.verifier.verify(artifacts, proof, instances);
        for (const c of verdict.checks) ctx.proofMetrics?.verifySeconds.observe({ backend: c.backend }, c.ms / 1000);
        if (new Set(verdict.checks.map((c) => c.valid)).size > 1) log.error({ checks: verdict.checks }, "verifier backends disagree: attesting invalid");
      }

      // 5. Sign and submit the attestation, if the proof is still the hub's one: verification takes a while, and a
      // reorg or a rival proof may have replaced it meanwhile (never sign for a proof no longer on chain).
      const current = await getRequest(ctx.client, { hub: d.hub, requestId });
      if (current.status !== RequestStatus.ProofSubmitted || current.proofHash !== d.proofHash) {
        log.info({ status: requestStatusName(current.status) }, "proof no longer under attestation (changed while verifying); not attesting");
        return { outcome: "skipped", valid: verdict.valid, reason: `status ${requestStatusName(current.status)}${current.proofHash !== d.proofHash ? ", another proof" : ""}`, checks: verdict.checks };
      }
      const attestation: Attestation = { requestId, proofHash: d.proofHash, instancesHash: record.instancesHash, valid: verdict.valid };
      const signature = await ctx.wallet.signTypedData(attestationTypedData(d.chainId, d.hub, attestation));
      const outcome = await ctx.batcher.submit(attestation, signature);
      if (outcome.kind === "rejected") {
        ctx.proofMetrics?.attestations.inc({ verdict: String(verdict.valid), outcome: "rejected" });
        if (classifyProtocolError("attest", outcome.error) === "skip") {
          log.info({ valid: verdict.valid, checks: verdict.checks.map((c) => `${c.backend}:${c.valid}:${Math.round(c.ms)}ms`), reason: outcome.reason }, "attestation not needed any more (quorum reached or proof replaced)");
          return { outcome: "skipped", valid: verdict.valid, reason: outcome.reason, checks: verdict.checks, txHash: outcome.txHash };
        }
        throw new Error(`hub rejected the attestation for request ${d.requestId}: ${outcome.reason}`);
      }
      ctx.proofMetrics?.attestations.inc({ verdict: String(verdict.valid), outcome: "recorded" });
      log.info(
        { valid: verdict.valid, checks: verdict.checks.map((c) => `${c.backend}:${c.valid}:${Math.round(c.ms)}ms`), txHash: outcome.txHash, settled: outcome.settled, rejectedProof: outcome.rejectedProof },
        "attestation recorded",
      );
      const result: VerifyJobResult = {
        outcome: "attested",
        valid: verdict.valid,
        checks: verdict.checks,
        txHash: outcome.txHash,
        gasUsed: outcome.gasUsed.toString(),
        batchSize: outcome.batchSize,
        settled: outcome.settled,
        rejectedProof: outcome.rejectedProof,
      };
      if (ctx.claimRewards && verdict.valid) {
        await addJob(ctx.claimQueue, { chainId: d.chainId, hub: d.hub, requestId: d.requestId, proofHash: d.proofHash }, {
          delay: outcome.settled ? 0 : 2000,
          attempts: 30,
          backoff: { type: "exponential", delay: 2000 },
        });
      }
      return result;
    } catch (err) {
      return failJob(err, { queue: QueueName.verify, stage: null, log, metrics: ctx.metrics });
    }
  };
}

/**
 * The claim job: this node's share of a settled request's verifier reward. While the request still waits for the
 * quorum the job fails and retries with backoff; a rejected or refunded request has nothing to claim.
 */
export function createClaimProcessor(ctx: VerifierNodeContext) {
  return async (job: TypedJob<"claim">): Promise<ClaimJobResult> => {
    const { hub, requestId: id } = job.data;
    const requestId = BigInt(id);
    const record = await getRequest(ctx.client, { hub, requestId });
    if (record.status === RequestStatus.ProofSubmitted) throw new Error(`request ${id} not settled yet; claim later`);
    if (record.status !== RequestStatus.Settled) return { claimed: false, reason: `status ${requestStatusName(record.status)}` };
    try {
      const sent = await ctx.sender.send({ call: claimVerifierRewardCall(hub, requestId), label: "claimVerifierReward" });
      ctx.logger.info({ requestId: id, txHash: sent.hash }, "verifier reward claimed");
      return { claimed: true, txHash: sent.hash, gasUsed: sent.receipt.gasUsed.toString() };
    } catch (err) {
      if (classifyFailure("claim", err).action === "skip") return { claimed: false, reason: failureReason(err) };
      throw err;
    }
  };
}
