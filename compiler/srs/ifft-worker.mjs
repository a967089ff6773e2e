// Worker: group inverse FFT over G1 points for SRS downsizing (one half of an even/odd split).
// in:  raw affine points (64 B each, Montgomery LE), omegaInv for this sub-FFT size, a per-output
//      scalar factor (n^-1) and an optional twiddle base t (output i is multiplied by t^i).
// out: raw affine points.
import { parentPort, workerData } from "node:worker_threads";
import { bn254 } from "@noble/curves/bn254.js";

const FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const FR = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
const R = (1n << 256n) % FQ;
const modpow = (b, e, m) => { let r = 1n; b %= m; while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; };
const RINV = modpow(R, FQ - 2n, FQ);
const getLe = (buf, off) => { let v = 0n; for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]); return v; };
const putLe = (buf, off, v) => { for (let i = 0; i < 32; i++) { buf[off + i] = Number(v & 0xffn); v >>= 8n; } };

const { raw, omegaInv, factor, twiddle } = workerData;
const n = raw.length / 64;
const P = bn254.G1.Point;
const a = new Array(n);
for (let i = 0; i < n; i++) {
  const xm = getLe(raw, i * 64), ym = getLe(raw, i * 64 + 32);
  if (xm >= FQ || ym >= FQ) throw new Error(`g point ${i}: coordinate not reduced`);
  const x = (xm * RINV) % FQ, y = (ym * RINV) % FQ;
  if (x === 0n && y === 0n) { a[i] = P.ZERO; continue; }
  const p = P.fromAffine({ x, y });
  p.assertValidity();
  a[i] = p;
}
for (let i = 0, j = 0; i < n; i++) {
  if (i < j) [a[i], a[j]] = [a[j], a[i]];
  let bit = n >> 1;
  for (; j & bit; bit >>= 1) j ^= bit;
  j ^= bit;
}
const wInv = BigInt(omegaInv);
for (let len = 2; len <= n; len <<= 1) {
  const wl = modpow(wInv, BigInt(n / len), FR);
  const tw = [1n];
  for (let i = 1; i < len / 2; i++) tw.push((tw[i - 1] * wl) % FR);
  for (let i = 0; i < n; i += len)
    for (let j = 0; j < len / 2; j++) {
      const u = a[i + j];
      const v = tw[j] === 1n ? a[i + j + len / 2] : a[i + j + len / 2].multiplyUnsafe(tw[j]);
      a[i + j] = u.add(v);
      a[i + j + len / 2] = u.subtract(v);
    }
}
const f = BigInt(factor);
const t = twiddle ? BigInt(twiddle) : 1n;
const out = new Uint8Array(n * 64);
let s = f;
for (let i = 0; i < n; i++) {
  const p = a[i].is0() ? a[i] : a[i].multiplyUnsafe(s);
  const aff = p.is0() ? { x: 0n, y: 0n } : p.toAffine();
  putLe(out, i * 64, (aff.x * R) % FQ);
  putLe(out, i * 64 + 32, (aff.y * R) % FQ);
  s = (s * t) % FR;
}
parentPort.postMessage(out, [out.buffer]);
