// Binary formats written by the engine: verifying-key bytes (RawBytesUnchecked) and the KZG SRS (RawBytes).
// Base-field coordinates are 32-byte little-endian Montgomery limbs.
import { bytesToBigIntLE, fromMontgomery, FQ_MODULUS, toHex32 } from "../field.js";
import type { G1Hex } from "./types.js";

export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncodingError";
  }
}

export interface G2Hex {
  x: [string, string];
  y: [string, string];
}

function fq(bytes: Uint8Array, offset: number, what: string): bigint {
  const raw = bytesToBigIntLE(bytes.subarray(offset, offset + 32));
  if (raw >= FQ_MODULUS) throw new EncodingError(`${what}: coordinate limb is not < q`);
  return fromMontgomery(raw, FQ_MODULUS);
}

/** Reads a raw G1 point (x‖y Montgomery LE); (0,0) is the identity, returned as null. */
export function readRawG1(bytes: Uint8Array, offset: number, what: string): G1Hex | null {
  if (offset + 64 > bytes.length) throw new EncodingError(`${what}: truncated`);
  const x = fq(bytes, offset, what);
  const y = fq(bytes, offset + 32, what);
  if (x === 0n && y === 0n) return null;
  return { x: toHex32(x), y: toHex32(y) };
}

export interface VkBytes {
  version: number;
  k: number;
  compressSelectors: boolean;
  numFixed: number;
  fixedCommitments: (G1Hex | null)[];
  permutationCommitments: (G1Hex | null)[];
  selectorBytes: number;
}

/**
 * Parses `VerifyingKey::write` bytes. The permutation column count is not stored, so it is passed in
 * (from the constraint system) and the total length must then match exactly.
 */
export function parseVkBytes(bytes: Uint8Array, numPermutationColumns: number, numSelectors: number): VkBytes {
  if (bytes.length < 7) throw new EncodingError("vk bytes: shorter than the 7-byte header");
  const version = bytes[0];
  if (version !== 0x03) throw new EncodingError(`vk bytes: unknown version byte ${version}`);
  const k = bytes[1];
  const compress = bytes[2];
  if (compress > 1) throw new EncodingError(`vk bytes: compress_selectors byte is ${compress}`);
  const numFixed = new DataView(bytes.buffer, bytes.byteOffset + 3, 4).getUint32(0, true);
  const selectorBytes = compress ? numSelectors * Math.ceil(2 ** k / 8) : 0;
  const expected = 7 + 64 * (numFixed + numPermutationColumns) + selectorBytes;
  if (bytes.length !== expected) {
    throw new EncodingError(`vk bytes: length ${bytes.length}, expected ${expected} for ${numFixed} fixed + ${numPermutationColumns} permutation commitments`);
  }
  const fixedCommitments = [];
  let off = 7;
  for (let i = 0; i < numFixed; i++, off += 64) fixedCommitments.push(readRawG1(bytes, off, `vk fixed commitment ${i}`));
  const permutationCommitments = [];
  for (let i = 0; i < numPermutationColumns; i++, off += 64) permutationCommitments.push(readRawG1(bytes, off, `vk permutation commitment ${i}`));
  return { version, k, compressSelectors: compress === 1, numFixed, fixedCommitments, permutationCommitments, selectorBytes };
}

export interface SrsVerifierParams {
  k: number;
  g1: G1Hex;
  g2: G2Hex;
  sG2: G2Hex;
}

function readRawG2(bytes: Uint8Array, offset: number, what: string): G2Hex {
  if (offset + 128 > bytes.length) throw new EncodingError(`${what}: truncated`);
  const c = [0, 1, 2, 3].map((i) => toHex32(fq(bytes, offset + 32 * i, what)));
  return { x: [c[0], c[1]], y: [c[2], c[3]] };
}

/** Reads g[0], g2 and s_g2 from a `ParamsKZG` RawBytes file: u32 k, 2^k g, 2^k g_lagrange, g2, s_g2. */
export function readSrsVerifierParams(srs: Uint8Array): SrsVerifierParams {
  if (srs.length < 4) throw new EncodingError("srs: too short");
  const k = new DataView(srs.buffer, srs.byteOffset, 4).getUint32(0, true);
  if (k > 28) throw new EncodingError(`srs: k=${k} is out of range`);
  const n = 2 ** k;
  const expected = 4 + 128 * n + 256;
  if (srs.length !== expected) throw new EncodingError(`srs: length ${srs.length}, expected ${expected} for k=${k}`);
  const g1 = readRawG1(srs, 4, "srs g[0]");
  if (!g1) throw new EncodingError("srs: g[0] is the identity");
  const g2Off = 4 + 128 * n;
  return { k, g1, g2: readRawG2(srs, g2Off, "srs g2"), sG2: readRawG2(srs, g2Off + 128, "srs s_g2") };
}
