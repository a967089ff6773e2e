/**
 * Proof stores: where the bytes of a ZKML_ATTESTED proof live. The hub records only the proof's keccak256 and
 * emits the base URL of the prover's store (ProofSubmitted.proofStore); the bytes are served content-addressed at
 * `<store>/proofs/<keccak256, lower-case hex>`. Whoever fetches them checks the hash, so any source is as good as
 * the prover's (a mirror, another node's cache): a source can withhold bytes, never forge them.
 *
 * Runs in Node and in a browser (global fetch, no Node module).
 */
import { keccak256, type Hex } from "viem";

/** The URL a store serves `proofHash` at. Only http(s) stores are fetched. */
export function proofUrl(store: string, proofHash: Hex): string {
  const base = new URL(store);
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`proof store ${store} is not an http(s) URL`);
  return `${store.replace(/\/+$/, "")}/proofs/${proofHash.toLowerCase()}`;
}

/** No source served bytes hashing to the proof's hash within the attempts (each source's last reason listed). */
export class ProofUnavailableError extends Error {
  override name = "ProofUnavailableError";
  constructor(
    readonly proofHash: Hex,
    readonly reasons: readonly string[],
  ) {
    super(`proof ${proofHash} unavailable: ${reasons.join("; ")}`);
  }
}

export interface FetchProofOptions {
  /** Per request. @defaultValue 5000 */
  timeoutMs?: number;
  /** Rounds over every source. @defaultValue 3 */
  attempts?: number;
  /** Wait before the second round, doubled after each. @defaultValue 500 */
  backoffMs?: number;
  /** Larger answers are refused (and not read further). @defaultValue 16 MiB */
  maxBytes?: number;
  /** Give up at this time (ms since the epoch) even with attempts left. */
  giveUpAt?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * The bytes of `proofHash` from the first of `sources` (proof store base URLs, tried in order, round after round)
 * that serves bytes hashing to it. Throws ProofUnavailableError when none does within the attempts or by
 * `giveUpAt`: a 404, a timeout, an oversized answer and bytes of another hash are all "unavailable".
 */
export async function fetchProof(sources: readonly string[], proofHash: Hex, o: FetchProofOptions = {}): Promise<Uint8Array> {
  const { timeoutMs = 5000, attempts = 3, backoffMs = 500, maxBytes = 16 * 1024 * 1024, giveUpAt = Infinity } = o;
  const doFetch = o.fetch ?? globalThis.fetch;
  const want = proofHash.toLowerCase();
  const reasons = new Map<string, string>();
  for (let round = 0; round < attempts; round++) {
    if (round > 0) {
      const wait = Math.min(backoffMs * 2 ** (round - 1), giveUpAt - Date.now());
      if (wait <= 0) break;
      await new Promise((r) => setTimeout(r, wait));
    }
    for (const source of sources) {
      const left = giveUpAt - Date.now();
      if (left <= 0) break;
      try {
        const res = await doFetch(proofUrl(source, proofHash), { signal: AbortSignal.timeout(Math.min(timeoutMs, left)) });
        if (res.status !== 200) {
          reasons.set(source, `HTTP ${res.status}`);
          await res.body?.cancel();
          continue;
        }
        const bytes = await readCapped(res, maxBytes);
        if (!bytes) {
          reasons.set(source, `more than ${maxBytes} bytes`);
          continue;
        }
        const got = keccak256(bytes);
        if (got === want) return bytes;
        reasons.set(source, `served bytes hashing to ${got}`);
      } catch (err) {
        reasons.set(source, (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (err as Error).message);
      }
    }
    if (Date.now() >= giveUpAt) break;
  }
  throw new ProofUnavailableError(proofHash, sources.map((s) => `${s}: ${reasons.get(s) ?? "not tried"}`));
}

/** The body, or null once it exceeds `maxBytes` (the rest is not read). */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
