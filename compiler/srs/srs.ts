/**
 * KZG SRS (halo2 ParamsKZG<Bn256>, SerdeFormat::RawBytes) for the ezkl engine:
 *   u32le k | 2^k G1 g[i]=tau^i·G | 2^k G1 g_lagrange[i]=L_i(tau)·G | G2 g2 | G2 s_g2=tau·G2
 * Coordinates are 32-byte little-endian Montgomery form. See ARTIFACT-FORMATS.md §3.
 *
 * generateDevSrs(): INSECURE development SRS — whoever runs it knows tau. Never use for production.
 * downsizeSrs(): takes a larger (e.g. ceremony) SRS, truncates g and recomputes g_lagrange by a
 * group inverse FFT, so the result is exactly size k (the engine does not downsize).
 */
import { Worker } from "node:worker_threads";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../protocol/repoRoot.js";
import { bn254 } from "@noble/curves/bn254.js";
import { keccak256 } from "viem";

export class SrsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SrsError";
  }
}

export const FR = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = (1n << 256n) % FQ;
const RINV = modpow(R, FQ - 2n, FQ);

function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
const inv = (x: bigint) => modpow(((x % FR) + FR) % FR, FR - 2n, FR);

/** primitive 2^k-th root of unity used by halo2curves (generator 7, S = 28). */
export function rootOfUnity(k: number): bigint {
  const root28 = modpow(7n, (FR - 1n) >> 28n, FR);
  return modpow(root28, 1n << BigInt(28 - k), FR);
}

export const srsByteLength = (k: number) => 4 + 128 * 2 ** k + 256;

function putLe(buf: Uint8Array, off: number, v: bigint) {
  for (let i = 0; i < 32; i++) { buf[off + i] = Number(v & 0xffn); v >>= 8n; }
}
function getLe(buf: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]);
  return v;
}
const mont = (x: bigint) => (x * R) % FQ;
const unmont = (x: bigint) => (x * RINV) % FQ;

type G1P = InstanceType<typeof bn254.G1.Point>;

function writeG1(buf: Uint8Array, off: number, p: G1P) {
  const a = p.is0() ? { x: 0n, y: 0n } : p.toAffine();
  putLe(buf, off, mont(a.x));
  putLe(buf, off + 32, mont(a.y));
}
function readG1(buf: Uint8Array, off: number, what: string): G1P {
  const xm = getLe(buf, off), ym = getLe(buf, off + 32);
  if (xm >= FQ || ym >= FQ) throw new SrsError(`${what}: coordinate not reduced`);
  const x = unmont(xm), y = unmont(ym);
  if (x === 0n && y === 0n) return bn254.G1.Point.ZERO;
  const p = bn254.G1.Point.fromAffine({ x, y });
  try {
    p.assertValidity();
  } catch {
    throw new SrsError(`${what}: point is not on the curve`);
  }
  return p;
}
function writeG2(buf: Uint8Array, off: number, p: InstanceType<typeof bn254.G2.Point>) {
  const a = p.toAffine();
  putLe(buf, off, mont(a.x.c0));
  putLe(buf, off + 32, mont(a.x.c1));
  putLe(buf, off + 64, mont(a.y.c0));
  putLe(buf, off + 96, mont(a.y.c1));
}

/** Scalars g[i] = tau^i and Lagrange coefficients L_i(tau) for domain size 2^k. */
function srsScalars(tau: bigint, k: number): { powers: bigint[]; lagrange: bigint[] } {
  const n = 2 ** k;
  const omega = rootOfUnity(k);
  const powers: bigint[] = new Array(n);
  let p = 1n;
  for (let i = 0; i < n; i++) { powers[i] = p; p = (p * tau) % FR; }
  const tn = p; // tau^n
  const wi: bigint[] = new Array(n);
  let w = 1n;
  for (let i = 0; i < n; i++) { wi[i] = w; w = (w * omega) % FR; }
  // batch inversion of (tau - w^i)
  const d = wi.map((x) => (((tau - x) % FR) + FR) % FR);
  if (d.some((x) => x === 0n)) throw new SrsError("tau is a root of unity; pick another");
  const pref: bigint[] = new Array(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) { pref[i] = acc; acc = (acc * d[i]) % FR; }
  let invAcc = inv(acc);
  const dinv: bigint[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) { dinv[i] = (invAcc * pref[i]) % FR; invAcc = (invAcc * d[i]) % FR; }
  const c = ((((tn - 1n) % FR) + FR) % FR) * inv(BigInt(n)) % FR;
  const lagrange = wi.map((x, i) => (((c * x) % FR) * dinv[i]) % FR);
  return { powers, lagrange };
}

async function multiplyBase(scalars: bigint[], workers: number): Promise<Uint8Array> {
  const url = new URL("./g1-worker.mjs", import.meta.url);
  const chunk = Math.ceil(scalars.length / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const slice = scalars.slice(w * chunk, (w + 1) * chunk).map((s) => s.toString());
      if (slice.length === 0) return Promise.resolve(new Uint8Array());
      return new Promise<Uint8Array>((resolve, reject) => {
        const wk = new Worker(url, { workerData: { scalars: slice } });
        wk.once("message", (m) => resolve(new Uint8Array(m)));
        wk.once("error", reject);
      });
    }),
  );
  const out = new Uint8Array(scalars.length * 64);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

export interface DevSrsOptions {
  /** derive tau from this seed (reproducible); default: random tau */
  seed?: string;
  workers?: number;
}

/** INSECURE development SRS of exactly size k (the generator knows tau). */
export async function generateDevSrs(k: number, opts: DevSrsOptions = {}): Promise<Uint8Array> {
  if (!Number.isInteger(k) || k < 1 || k > 20) throw new SrsError(`dev SRS k must be an integer in [1, 20], got ${k}`);
  const tau = opts.seed !== undefined
    ? BigInt(keccak256(new TextEncoder().encode(`twinpath-dev-srs:${opts.seed}`))) % FR
    : BigInt("0x" + randomBytes(32).toString("hex")) % FR;
  const n = 2 ** k;
  const { powers, lagrange } = srsScalars(tau, k);
  const points = await multiplyBase([...powers, ...lagrange], Math.max(1, opts.workers ?? 2));
  const buf = new Uint8Array(srsByteLength(k));
  new DataView(buf.buffer).setUint32(0, k, true);
  buf.set(points, 4);
  const g2 = bn254.G2.Point.BASE;
  writeG2(buf, 4 + 128 * n, g2);
  writeG2(buf, 4 + 128 * n + 128, g2.multiply(tau));
  return buf;
}

const DEFAULT_SRS_CACHE = join(REPO_ROOT, ".twinpath", "srs");
const devSrsMemo = new Map<string, Promise<Uint8Array>>();

/**
 * A development SRS of size k (INSECURE: see generateDevSrs). Seeded ones are deterministic, so they
 * are cached in `cacheDir` (default <package>/.twinpath/srs, gitignored) and in memory; unseeded ones
 * (random tau) are generated each time.
 */
export function devSrs(k: number, seed?: string, cacheDir = DEFAULT_SRS_CACHE): Promise<Uint8Array> {
  if (seed === undefined) return generateDevSrs(k);
  const f = join(cacheDir, `dev-${keccak256(new TextEncoder().encode(seed)).slice(2, 18)}-k${k}.srs`);
  let p = devSrsMemo.get(f);
  if (!p) {
    p = (async () => {
      if (existsSync(f)) {
        const cached = new Uint8Array(readFileSync(f));
        if (cached.length === srsByteLength(k)) return cached;
      }
      const s = await generateDevSrs(k, { seed });
      mkdirSync(cacheDir, { recursive: true });
      // atomic: a concurrent build never reads a half-written file
      const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, s);
      renameSync(tmp, f);
      return s;
    })();
    devSrsMemo.set(f, p);
    p.catch(() => devSrsMemo.delete(f));
  }
  return p;
}

/** k stored in an SRS file, with a size check. */
export function srsK(bytes: Uint8Array): number {
  if (bytes.length < 4) throw new SrsError("SRS file is too short");
  const k = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (k < 1 || k > 28 || bytes.length !== srsByteLength(k))
    throw new SrsError(`SRS file has k=${k} but ${bytes.length} bytes (expected ${k <= 28 ? srsByteLength(k) : "?"}); truncated or not a RawBytes ParamsKZG file`);
  return k;
}

function runIfftWorker(raw: Uint8Array, omegaInv: bigint, factor: bigint, twiddle?: bigint): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./ifft-worker.mjs", import.meta.url), {
      workerData: { raw, omegaInv: omegaInv.toString(), factor: factor.toString(), twiddle: twiddle?.toString() },
    });
    w.once("message", (m) => resolve(new Uint8Array(m)));
    w.once("error", (e) => reject(new SrsError(`SRS downsizing failed: ${e.message}`)));
  });
}

/**
 * Downsize an SRS (e.g. a ceremony file written by ParamsKZG::write) to exactly k:
 * keeps g[0..2^k), recomputes the Lagrange basis g_lagrange[i] = (1/n)·Σ_j ω^{-ij}·g[j] with a group
 * iFFT split into its even and odd halves on two worker threads, keeps g2 and s_g2.
 * With expectedKeccak256 the source bytes are hash-checked first.
 */
export async function downsizeSrs(src: Uint8Array, k: number, expectedKeccak256?: string): Promise<Uint8Array> {
  if (expectedKeccak256) {
    const h = keccak256(src);
    if (h.toLowerCase() !== expectedKeccak256.toLowerCase())
      throw new SrsError(`SRS hash mismatch: file keccak256 ${h}, expected ${expectedKeccak256}`);
  }
  const K = srsK(src);
  if (k > K) throw new SrsError(`SRS has k=${K}, smaller than the required logrows ${k}`);
  if (k === K) return src;
  if (k < 2) throw new SrsError(`cannot downsize to k=${k} (minimum 2)`);
  const N = 2 ** K, n = 2 ** k, h = n / 2;
  const g = src.subarray(4, 4 + 64 * n);
  const even = new Uint8Array(64 * h), odd = new Uint8Array(64 * h);
  for (let i = 0; i < h; i++) {
    even.set(g.subarray(128 * i, 128 * i + 64), 64 * i);
    odd.set(g.subarray(128 * i + 64, 128 * i + 128), 64 * i);
  }
  const omegaInv = inv(rootOfUnity(k));
  const halfOmegaInv = (omegaInv * omegaInv) % FR;
  const nInv = inv(BigInt(n));
  // out[i] = E[i] + ω^-i·O[i], out[i + n/2] = E[i] - ω^-i·O[i]; both halves pre-scaled by 1/n
  const [E, O] = await Promise.all([runIfftWorker(even, halfOmegaInv, nInv), runIfftWorker(odd, halfOmegaInv, nInv, omegaInv)]);
  const buf = new Uint8Array(srsByteLength(k));
  new DataView(buf.buffer).setUint32(0, k, true);
  buf.set(g, 4);
  for (let i = 0; i < h; i++) {
    const e = readG1(E, 64 * i, "iFFT"), o = readG1(O, 64 * i, "iFFT");
    writeG1(buf, 4 + 64 * n + 64 * i, e.add(o));
    writeG1(buf, 4 + 64 * n + 64 * (i + h), e.subtract(o));
  }
  const g2Off = 4 + 128 * N;
  buf.set(src.subarray(g2Off, g2Off + 256), 4 + 128 * n);
  return buf;
}
