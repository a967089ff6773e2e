// BN254 scalar-field (Fr) and base-field (Fq) helpers on plain bigints, plus the byte encodings halo2 uses.

/** BN254 scalar field modulus r. */
export const FR_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
/** BN254 base field modulus q. */
export const FQ_MODULUS = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;

const TWO_256 = 1n << 256n;

export function mod(a: bigint, m: bigint = FR_MODULUS): bigint {
  const x = a % m;
  return x < 0n ? x + m : x;
}

export function add(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s >= FR_MODULUS ? s - FR_MODULUS : s;
}

export function sub(a: bigint, b: bigint): bigint {
  const s = a - b;
  return s < 0n ? s + FR_MODULUS : s;
}

export function mul(a: bigint, b: bigint): bigint {
  return (a * b) % FR_MODULUS;
}

export function neg(a: bigint): bigint {
  return a === 0n ? 0n : FR_MODULUS - a;
}

export function pow(base: bigint, exp: bigint, m: bigint = FR_MODULUS): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/** Modular inverse by extended Euclid; the inverse of 0 is reported as 0 (callers decide what that means). */
export function inv(a: bigint, m: bigint = FR_MODULUS): bigint {
  let [oldR, r] = [mod(a, m), m];
  if (oldR === 0n) return 0n;
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

/** Inverts every element; zeros stay zero (the same convention as ff's BatchInvert). */
export function batchInv(values: bigint[]): bigint[] {
  const prefix: bigint[] = new Array(values.length);
  let acc = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = acc;
    if (values[i] !== 0n) acc = mul(acc, values[i]);
  }
  let accInv = inv(acc);
  const out: bigint[] = new Array(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] === 0n) {
      out[i] = 0n;
      continue;
    }
    out[i] = mul(accInv, prefix[i]);
    accInv = mul(accInv, values[i]);
  }
  return out;
}

export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export function bigIntToBytesBE(v: bigint, len = 32): Uint8Array {
  const out = new Uint8Array(len);
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function bigIntToBytesLE(v: bigint, len = 32): Uint8Array {
  return bigIntToBytesBE(v, len).reverse();
}

/** Canonical value of a Montgomery-form limb (raw·2^-256 mod m). */
export function fromMontgomery(raw: bigint, m: bigint): bigint {
  return mod(raw * inv(TWO_256 % m, m), m);
}

/** Montgomery form (v·2^256 mod m) of a canonical value. */
export function toMontgomery(v: bigint, m: bigint): bigint {
  return mod(v * TWO_256, m);
}

export function toHex32(v: bigint): string {
  return "0x" + v.toString(16).padStart(64, "0");
}

export function parseHex(s: string): bigint {
  if (!/^0x[0-9a-fA-F]+$/.test(s)) throw new Error(`not a hex number: ${s.slice(0, 80)}`);
  return BigInt(s);
}

/** Powers 1, v, v^2, ... (count of them). */
export function powers(v: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  let cur = 1n;
  for (let i = 0; i < count; i++) {
    out.push(cur);
    cur = mul(cur, v);
  }
  return out;
}

/** halo2curves bn256 Fr: generator 7, two-adicity S = 28; DELTA = 7^(2^S) generates the permutation cosets. */
export const FR_GENERATOR = 7n;
export const FR_S = 28;
export const FR_DELTA = pow(FR_GENERATOR, 1n << BigInt(FR_S));
