// snark-verifier's EvmTranscript (Keccak256), as used by ezkl TranscriptType::EVM:
// absorb appends bytes (scalars as 32-byte BE, points as x‖y BE); a squeeze hashes the buffer (plus 0x01 when
// the buffer is exactly 32 bytes, i.e. right after another squeeze), keeps the hash as the new buffer and
// returns hash mod r.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bigIntToBytesBE, bytesToBigIntBE, FR_MODULUS } from "../field.js";

export class KeccakTranscript {
  private chunks: Uint8Array[] = [];
  private length = 0;

  absorbBytes(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  absorbScalar(v: bigint): void {
    this.absorbBytes(bigIntToBytesBE(v, 32));
  }

  squeeze(): bigint {
    const extra = this.length === 32 ? 1 : 0;
    const buf = new Uint8Array(this.length + extra);
    let off = 0;
    for (const c of this.chunks) {
      buf.set(c, off);
      off += c.length;
    }
    if (extra) buf[off] = 1;
    const h = keccak_256(buf);
    this.chunks = [h];
    this.length = 32;
    return bytesToBigIntBE(h) % FR_MODULUS;
  }
}
