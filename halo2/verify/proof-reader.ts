// Reads proof elements in transcript order, rejecting non-canonical scalars and points off the curve,
// and absorbs exactly the bytes read.
import { bytesToBigIntBE, FR_MODULUS } from "../field.js";
import { isOnG1 } from "./curve.js";
import type { KeccakTranscript } from "./transcript.js";

export class ProofRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ProofRejected";
  }
}

export interface AffinePoint {
  x: bigint;
  y: bigint;
}

export class ProofReader {
  private offset = 0;
  private readonly scalars = new Map<number, bigint>();

  constructor(
    private readonly proof: Uint8Array,
    private readonly transcript: KeccakTranscript,
  ) {}

  get position(): number {
    return this.offset;
  }

  private take(len: number, what: string): Uint8Array {
    if (this.offset + len > this.proof.length) throw new ProofRejected(`proof ends before ${what} at byte ${this.offset}`);
    const bytes = this.proof.subarray(this.offset, this.offset + len);
    this.offset += len;
    return bytes;
  }

  readPoint(what: string): AffinePoint {
    const at = this.offset;
    const bytes = this.take(64, what);
    const x = bytesToBigIntBE(bytes.subarray(0, 32));
    const y = bytesToBigIntBE(bytes.subarray(32, 64));
    if (!isOnG1(x, y)) throw new ProofRejected(`${what} at byte ${at} is not a canonical point on G1`);
    this.transcript.absorbBytes(bytes);
    return { x, y };
  }

  readPoints(count: number, what: string): AffinePoint[] {
    const out: AffinePoint[] = [];
    for (let i = 0; i < count; i++) out.push(this.readPoint(`${what}[${i}]`));
    return out;
  }

  readScalar(what: string): bigint {
    const at = this.offset;
    const bytes = this.take(32, what);
    const v = bytesToBigIntBE(bytes);
    if (v >= FR_MODULUS) throw new ProofRejected(`${what} at byte ${at} is not a canonical scalar (>= r)`);
    this.transcript.absorbBytes(bytes);
    this.scalars.set(at, v);
    return v;
  }

  /** The scalar read at a byte offset (for openings located by offset). */
  scalarAt(offset: number): bigint {
    const v = this.scalars.get(offset);
    if (v === undefined) throw new Error(`no scalar was read at proof offset ${offset}`);
    return v;
  }

  readScalars(count: number, what: string): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(this.readScalar(`${what}[${i}]`));
    return out;
  }
}
