// vk.transcript_repr: Blake2b-512 with personalization "Halo2-Verify-Key" over u64_le(len) ‖ Debug text,
// read as a 64-byte little-endian integer and reduced mod r (halo2curves `from_uniform_bytes`).
import { blake2b } from "@noble/hashes/blake2.js";
import { bytesToBigIntLE, FR_MODULUS } from "../field.js";

const PERSONALIZATION = new TextEncoder().encode("Halo2-Verify-Key");

export function vkDigestOfPinnedText(text: string): bigint {
  const body = new TextEncoder().encode(text);
  const input = new Uint8Array(8 + body.length);
  new DataView(input.buffer).setBigUint64(0, BigInt(body.length), true);
  input.set(body, 8);
  const h = blake2b(input, { dkLen: 64, personalization: PERSONALIZATION });
  return bytesToBigIntLE(h) % FR_MODULUS;
}
