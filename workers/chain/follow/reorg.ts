import type { Hex } from "viem";
import type { Logger } from "../../shared/logger.js";
import type { CheckpointStore } from "./checkpoint.js";

/**
 * Reorg handling shared by every checkpointed event follower (the fast-path listener, the verifier node's proof
 * follower): a checkpoint carries its block hash and the store remembers recent block hashes, so a follower can
 * tell that processed blocks were orphaned and resume after the fork point.
 */
export interface BlockHashes {
  /** Hash of block `n` on the current canonical chain, null if it does not exist (yet). */
  blockHash(n: bigint): Promise<Hex | null>;
}

/** What every follower reads of the chain besides its events (viem-backed in production, fakeable in tests). */
export interface BlockHashSource extends BlockHashes {
  headNumber(): Promise<bigint>;
}

/**
 * True when the stored checkpoint is absent or still canonical; otherwise rewinds the store (see rewindToCanonical)
 * and returns the rewind.
 */
export async function checkCheckpoint(
  source: BlockHashes,
  store: CheckpointStore,
  startBlock: bigint,
  reorgWindow: bigint,
  logger?: Logger,
): Promise<{ from: bigint; to: bigint } | null> {
  const checkpoint = await store.load();
  if (!checkpoint || (await source.blockHash(checkpoint.block)) === checkpoint.hash) return null;
  return rewindToCanonical(source, store, checkpoint.block, startBlock, reorgWindow, logger);
}

/** Walks back through remembered hashes to the newest block that is still canonical and moves the checkpoint there. */
export async function rewindToCanonical(
  source: BlockHashes,
  store: CheckpointStore,
  from: bigint,
  startBlock: bigint,
  reorgWindow: bigint,
  logger?: Logger,
): Promise<{ from: bigint; to: bigint }> {
  const remembered = [...(await store.recentHashes()).entries()].filter(([n]) => n < from).sort((a, b) => (a[0] > b[0] ? -1 : 1));
  for (const [n, hash] of remembered) {
    if ((await source.blockHash(n)) === hash) {
      await store.rewind({ block: n, hash });
      logger?.warn({ from: String(from), to: String(n) }, "reorg detected: rewound");
      return { from, to: n };
    }
  }
  // Deeper than the window: the fork point is unknown, so rescan from the start block. Safe because enqueuing is
  // idempotent (job ids, and a job from another fork is replaced); slow, hence the error log.
  const target = startBlock - 1n;
  const hash = target >= 0n ? await source.blockHash(target) : null;
  await store.rewind(hash ? { block: target, hash } : null);
  logger?.error({ from: String(from), to: String(target), window: String(reorgWindow) }, "reorg deeper than the remembered window: rescanning from the start block");
  return { from, to: target };
}

/**
 * Reads one page [.., to] so that it provably comes from one chain: `to`'s hash is read before and after, and every
 * block <= to is linked into that hash. Null when `to` does not exist or the chain changed meanwhile (retry later).
 */
export async function readStablePage<T>(source: BlockHashes, to: bigint, read: () => Promise<T>): Promise<{ toHash: Hex; value: T } | null> {
  const toHash = await source.blockHash(to);
  if (!toHash) return null;
  const value = await read();
  if ((await source.blockHash(to)) !== toHash) return null;
  return { toHash, value };
}
