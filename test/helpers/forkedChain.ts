import { keccak256, toHex, type Hex } from "viem";

/**
 * A fake chain for reorg tests: block hashes derive from (fork, number), so replacing the blocks above some height
 * under a new fork name gives them new hashes, as a real reorg does. Each block may carry a payload (the events the
 * subclass turns into logs).
 */
export class ForkedChain<P extends object> {
  blocks: ({ hash: Hex } & Partial<P>)[] = [];

  constructor(private fork = "a") {
    this.blocks.push({ hash: this.hashOf(0) } as { hash: Hex } & Partial<P>);
  }

  private hashOf(n: number): Hex {
    return keccak256(toHex(`${this.fork}:${n}`));
  }

  /** Appends a block carrying `payload`. */
  mineBlock(payload: Partial<P> = {}): void {
    this.blocks.push({ ...payload, hash: this.hashOf(this.blocks.length) });
  }

  /** Replaces every block above `keep` with a new fork. */
  reorg(keep: number, fork: string): void {
    this.fork = fork;
    this.blocks = this.blocks.slice(0, keep + 1);
  }

  async headNumber(): Promise<bigint> {
    return BigInt(this.blocks.length - 1);
  }

  async blockHash(n: bigint): Promise<Hex | null> {
    return this.blocks[Number(n)]?.hash ?? null;
  }
}
