/**
 * Values computed once per key and shared by everyone who asks while they are kept: concurrent callers get the same
 * promise, so the work runs once. A failure is not kept (the next caller computes again: a file fixed, a node back).
 * Optionally at most `capacity` entries (the least recently used evicted first) and each kept at most `ttlMs`.
 */
export class PromiseCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: Promise<V> }>();

  constructor(private readonly o: { capacity?: number; ttlMs?: number } = {}) {}

  get(key: K, compute: () => Promise<V> | V): Promise<V> {
    const now = Date.now();
    const { capacity, ttlMs } = this.o;
    if (ttlMs !== undefined) for (const [k, e] of this.entries) if (now - e.at > ttlMs) this.entries.delete(k);
    const hit = this.entries.get(key);
    if (hit) {
      if (capacity !== undefined) {
        // most recently used last
        this.entries.delete(key);
        this.entries.set(key, hit);
      }
      return hit.value;
    }
    const entry = { at: now, value: Promise.resolve().then(compute) };
    this.entries.set(key, entry);
    entry.value.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    if (capacity !== undefined) while (this.entries.size > capacity) this.entries.delete(this.entries.keys().next().value as K);
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }
}
