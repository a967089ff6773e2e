import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { jobId } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { getProofLogs, type ProofLog } from "../proofs/chain.js";

/** Job data of a verification node's `verify` queue: one published proof. */
export interface VerifyJobData {
  chainId: number;
  hub: Address;
  requestId: string;
  prover: Address;
  proofHash: `0x${string}`;
  instancesHash: `0x${string}`;
  output: string[];
  /** raw proof bytes, hex, exactly as published in ProofSubmitted */
  proof: `0x${string}`;
  blockNumber: number;
  txHash: `0x${string}`;
  seenAt: number;
}

/** One job per request and proof: a proof rejected and replaced by another gets a new job. */
export const verifyJobId = (chainId: number, requestId: bigint | string, proofHash: string) => jobId(QueueName.verify, chainId, `${requestId}-${proofHash.slice(2, 18)}`);

/** The queue prefix of one verification node (each node verifies every proof, so each has its own queue). */
export const verifierQueuePrefix = (prefix: string, address: string) => `${prefix}.vn-${address.slice(2, 10).toLowerCase()}`;

/** Redis key of a node's follower checkpoint (last block whose ProofSubmitted events were all enqueued). */
export const verifierCheckpointKey = (prefix: string, chainId: number, hub: Address, node: Address) =>
  `${prefix}:verifier:${chainId}:${hub.toLowerCase()}:${node.toLowerCase()}:checkpoint`;

export interface ProofFollowerOptions {
  client: TwinpathPublicClient;
  redis: Redis;
  queue: Queue<VerifyJobData>;
  chainId: number;
  hub: Address;
  checkpointKey: string;
  startBlock: bigint;
  confirmations: number;
  pageSize: number;
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Follows ProofSubmitted events with a checkpoint in Redis: each page of confirmed blocks is enqueued (idempotent
 * job ids), then the checkpoint advances, so a restart resumes where it stopped and replays nothing twice. Events
 * without proof bytes (ZKML_ONCHAIN, verified by the hub itself) are skipped.
 */
export class ProofFollower {
  private stopped = false;
  private loop: Promise<void> | undefined;
  lastBlock = -1n;

  constructor(private readonly o: ProofFollowerOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** One pass: enqueue every confirmed event after the checkpoint. Returns the number of jobs added. */
  async poll(): Promise<number> {
    const o = this.o;
    const saved = await o.redis.get(o.checkpointKey);
    let from = saved === null ? o.startBlock : BigInt(saved) + 1n;
    const head = await o.client.getBlockNumber();
    const safe = head - BigInt(o.confirmations);
    let added = 0;
    while (from <= safe && !this.stopped) {
      const to = from + BigInt(o.pageSize) - 1n < safe ? from + BigInt(o.pageSize) - 1n : safe;
      const logs = await getProofLogs(o.client, o.hub, from, to);
      for (const log of logs) if (await this.enqueue(log)) added++;
      await o.redis.set(o.checkpointKey, to.toString());
      this.lastBlock = to;
      from = to + 1n;
    }
    return added;
  }

  private async enqueue(log: ProofLog): Promise<boolean> {
    if (log.proof === "0x") return false;
    const o = this.o;
    await o.queue.add(
      QueueName.verify,
      {
        chainId: o.chainId,
        hub: o.hub,
        requestId: log.requestId.toString(),
        prover: log.prover,
        proofHash: log.proofHash,
        instancesHash: log.instancesHash,
        output: log.output.map(String),
        proof: log.proof,
        blockNumber: Number(log.blockNumber),
        txHash: log.transactionHash,
        seenAt: Date.now(),
      },
      { jobId: verifyJobId(o.chainId, log.requestId, log.proofHash) },
    );
    return true;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const n = await this.poll();
        if (n) this.o.logger.debug({ added: n, block: String(this.lastBlock) }, "proofs enqueued");
      } catch (err) {
        this.o.logger.warn({ err: errorMessage(err) }, "proof follower poll failed; retrying");
      }
      await new Promise((r) => setTimeout(r, this.o.pollIntervalMs));
    }
  }
}
