import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Address, Hex } from "viem";
import type { TwinpathPublicClient } from "../chain/client.js";
import { jobId } from "../queues/jobs.js";
import { QueueName } from "../queues/names.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { getProofLogs, type ProofLog } from "../proofs/chain.js";
import { chainBlockHashes } from "../listener/chainSource.js";
import { RedisCheckpointStore } from "../listener/redisCheckpoint.js";
import { checkCheckpoint, readStablePage } from "../listener/reorg.js";
import type { BlockSource, CheckpointStore } from "../listener/types.js";

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
  /** block the event was seen in (absent in jobs from before reorg handling) */
  blockHash?: `0x${string}`;
  txHash: `0x${string}`;
  seenAt: number;
}

/** One job per request and proof: a proof rejected and replaced by another gets a new job. */
export const verifyJobId = (chainId: number, requestId: bigint | string, proofHash: string) => jobId(QueueName.verify, chainId, `${requestId}-${proofHash.slice(2, 18)}`);

/** The queue prefix of one verification node (each node verifies every proof, so each has its own queue). */
export const verifierQueuePrefix = (prefix: string, address: string) => `${prefix}.vn-${address.slice(2, 10).toLowerCase()}`;

/** Redis key base of a node's follower checkpoint (last block whose ProofSubmitted events were all enqueued). */
export const verifierCheckpointKey = (prefix: string, chainId: number, hub: Address, node: Address) =>
  `${prefix}:verifier:${chainId}:${hub.toLowerCase()}:${node.toLowerCase()}:checkpoint`;

/** Where the follower reads the chain (viem-backed in production, fakeable in tests). */
export interface ProofSource extends Pick<BlockSource, "headNumber" | "blockHash"> {
  proofLogs(fromBlock: bigint, toBlock: bigint): Promise<ProofLog[]>;
}

export function chainProofSource(client: TwinpathPublicClient, hub: Address): ProofSource {
  return { ...chainBlockHashes(client), proofLogs: (from, to) => getProofLogs(client, hub, from, to) };
}

/** The checkpoint store of a node: the listener's Redis store under `<checkpointKey>:pos` / `<checkpointKey>:blocks`. */
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
  queue: Queue<VerifyJobData>;
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
 * Follows ProofSubmitted events with the listener's reorg-aware checkpoint (block hash + recent hashes): each poll
 * first checks that the last processed block is still canonical and rewinds to the fork point if not, then enqueues
 * each page of confirmed blocks (read against one chain) and only then advances the checkpoint. Job ids are
 * deterministic (request + proofHash), so a proof re-included on the new fork is not verified twice; a finished job
 * of a proof seen on an orphaned block is replaced, so its attestation is sent again on the canonical chain if still
 * needed (the processor re-checks the hub's current proofHash before signing). Events without proof bytes
 * (ZKML_ONCHAIN, verified by the hub itself) are skipped.
 */
export class ProofFollower {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly reorgWindow: bigint;
  lastBlock = -1n;
  rewinds = 0;

  constructor(private readonly o: ProofFollowerOptions) {
    this.reorgWindow = BigInt(o.reorgWindow ?? 64);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** One pass: rewind after a reorg, then enqueue every confirmed event after the checkpoint. Returns the jobs added. */
  async poll(): Promise<number> {
    const o = this.o;
    if (await checkCheckpoint(o.source, o.store, o.startBlock, this.reorgWindow, o.logger)) this.rewinds++;
    const checkpoint = await o.store.load();
    let from = checkpoint ? checkpoint.block + 1n : o.startBlock;
    const head = await o.source.headNumber();
    const safe = head - BigInt(o.confirmations);
    let added = 0;
    while (from <= safe && !this.stopped) {
      const to = from + BigInt(o.pageSize) - 1n < safe ? from + BigInt(o.pageSize) - 1n : safe;
      const page = await readStablePage(o.source, to, () => o.source.proofLogs(from, to));
      if (!page) {
        o.logger.warn({ block: String(to) }, "chain changed while reading proofs; retrying next poll");
        break;
      }
      const hashes = new Map<bigint, Hex>([[to, page.toHash]]);
      for (const log of page.value) {
        hashes.set(log.blockNumber, log.blockHash);
        if (await this.enqueue(log)) added++;
      }
      await o.store.advance({ block: to, hash: page.toHash }, hashes, to - this.reorgWindow + 1n);
      this.lastBlock = to;
      from = to + 1n;
    }
    return added;
  }

  private async enqueue(log: ProofLog): Promise<boolean> {
    if (log.proof === "0x") return false;
    const o = this.o;
    const id = verifyJobId(o.chainId, log.requestId, log.proofHash);
    const existing = await o.queue.getJob(id);
    if (existing) {
      // Same proof, same block: a replay. Same proof seen on another fork: replace a finished job so the
      // attestation (which may have been orphaned with that fork) is re-sent if the hub still needs it.
      if (existing.data.blockHash === undefined || existing.data.blockHash === log.blockHash) return false;
      const state = await existing.getState();
      if (state !== "completed" && state !== "failed") return false;
      await existing.remove();
    }
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
        blockHash: log.blockHash,
        txHash: log.transactionHash,
        seenAt: Date.now(),
      },
      { jobId: id },
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
