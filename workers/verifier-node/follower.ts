import type { Redis } from "ioredis";
import type { Address } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { chainBlockHashes } from "../chain/follow/blockSource.js";
import { RedisCheckpointStore, type CheckpointStore } from "../chain/follow/checkpoint.js";
import { PageFollower } from "../chain/follow/pageFollower.js";
import type { BlockHashSource } from "../chain/follow/reorg.js";
import type { TypedQueue } from "../queues/connection.js";
import { QueueName } from "../queues/names.js";
import { jobIdFor, type VerifyJobData } from "../queues/jobs.js";
import type { Logger } from "../shared/logger.js";
import { getProofLogs, type ProofLog } from "../proofs/chain.js";

/** Where the follower reads the chain (viem-backed in production, fakeable in tests). */
export interface ProofSource extends BlockHashSource {
  proofLogs(fromBlock: bigint, toBlock: bigint): Promise<ProofLog[]>;
}

export function chainProofSource(client: TwinpathPublicClient, hub: Address): ProofSource {
  return { ...chainBlockHashes(client), proofLogs: (from, to) => getProofLogs(client, hub, from, to) };
}

/** The checkpoint store of a node under `<checkpointKey>:pos` / `<checkpointKey>:blocks` (queues/keys.ts). */
export const verifierCheckpointStore = (redis: Redis, checkpointKey: string) => new RedisCheckpointStore(redis, `${checkpointKey}:pos`, `${checkpointKey}:blocks`);

/**
 * Start block for a node upgraded from the hash-less checkpoint (a plain block number at `checkpointKey`): resume
 * after it instead of rescanning. Only read while the new store is empty.
 */
export async function legacyResumeBlock(redis: Redis, checkpointKey: string, startBlock: bigint): Promise<bigint> {
  const saved = (await redis.type(checkpointKey)) === "string" ? await redis.get(checkpointKey) : null;
  return saved === null ? startBlock : BigInt(saved) + 1n;
}

export interface ProofFollowerOptions {
  source: ProofSource;
  store: CheckpointStore;
  queue: TypedQueue<"verify">;
  chainId: number;
  hub: Address;
  startBlock: bigint;
  confirmations: number;
  pageSize: number;
  /** Recent block hashes kept for reorg detection. @defaultValue 64 */
  reorgWindow?: number;
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Follows ProofSubmitted events with the reorg-aware page loop of chain/follow/ and enqueues one verify job per
 * published proof. Job ids are deterministic (request + proofHash), so a proof re-included on the new fork is not
 * verified twice; a finished job of a proof seen on an orphaned block is replaced, so its attestation is sent again
 * on the canonical chain if still needed (the processor re-checks the hub's current proofHash before signing).
 * Events without a proof store (ZKML_ONCHAIN, verified by the hub itself) are skipped.
 */
export class ProofFollower {
  private readonly follower: PageFollower<ProofLog, number>;
  private loop: Promise<void> | undefined;
  lastBlock = -1n;
  rewinds = 0;

  constructor(private readonly o: ProofFollowerOptions) {
    this.follower = new PageFollower({
      ...o,
      what: "proofs",
      readPage: (from, to) => o.source.proofLogs(from, to),
      handlePage: async (logs) => {
        let added = 0;
        for (const log of logs) if (await this.enqueue(log)) added++;
        return added;
      },
    });
  }

  start(): void {
    this.loop = this.follower.run((s) => {
      this.lastBlock = s.to;
      if (s.result) this.o.logger.debug({ added: s.result, block: String(s.to) }, "proofs enqueued");
    });
  }

  async stop(): Promise<void> {
    this.follower.stop();
    await this.loop;
  }

  /** Catches up now: rewinds after a reorg, then enqueues every confirmed event after the checkpoint. Returns the jobs added. */
  async poll(): Promise<number> {
    let added = 0;
    const { rewinds } = await this.follower.catchUp((s) => {
      this.lastBlock = s.to;
      added += s.result;
    });
    this.rewinds += rewinds;
    return added;
  }

  private async enqueue(log: ProofLog): Promise<boolean> {
    if (log.proofStore === "") return false;
    const o = this.o;
    const data: VerifyJobData = {
      chainId: o.chainId,
      hub: o.hub,
      requestId: log.requestId.toString(),
      prover: log.prover,
      proofHash: log.proofHash,
      instancesHash: log.instancesHash,
      output: log.output.map(String),
      proofStore: log.proofStore,
      blockNumber: Number(log.blockNumber),
      blockHash: log.blockHash,
      txHash: log.transactionHash,
      seenAt: Date.now(),
    };
    const jobId = jobIdFor(QueueName.verify, data);
    const existing = await o.queue.getJob(jobId);
    if (existing) {
      // Same proof, same block: a replay. Same proof seen on another fork: replace a finished job so the
      // attestation (which may have been orphaned with that fork) is re-sent if the hub still needs it.
      if (existing.data.blockHash === undefined || existing.data.blockHash === log.blockHash) return false;
      const state = await existing.getState();
      if (state !== "completed" && state !== "failed") return false;
      await existing.remove();
    }
    await o.queue.add(QueueName.verify, data, { jobId });
    return true;
  }
}
