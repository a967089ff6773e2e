/**
 * A schema-driven bincode 1.3 (default config) encoder/decoder. Values use the serde_json shape
 * (structs as objects with the Rust field names, tuples as arrays, enums externally tagged:
 * unit variant -> "Name", other variants -> { Name: payload }, Option -> value | null), so the same
 * value can be written as bincode and as the JSON that ezkl reads (settings.json).
 * Integers are JS numbers (i128/u128 must be safe integers); field elements (Fr) are bigints.
 */

export class BincodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BincodeError";
  }
}

/** BN254 scalar field modulus r. */
export const FR_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

export type Schema =
  | { k: "u8" | "bool" | "u32" | "i32" | "u64" | "i64" | "i128" | "u128" | "f32" | "f64" | "string" | "fr" | "g1" }
  | { k: "vec"; of: Schema }
  | { k: "option"; of: Schema }
  | { k: "map"; key: Schema; value: Schema }
  | { k: "tuple"; items: Schema[] }
  | { k: "struct"; name: string; fields: [string, Schema][] }
  | { k: "enum"; name: string; variants: [string, Schema | null][] }
  | { k: "newtype"; of: Schema } // marks a newtype/tuple-variant payload (inline)
  | { k: "lazy"; get: () => Schema };

export const t = {
  u8: { k: "u8" } as Schema,
  bool: { k: "bool" } as Schema,
  u32: { k: "u32" } as Schema,
  i32: { k: "i32" } as Schema,
  usize: { k: "u64" } as Schema,
  isize: { k: "i64" } as Schema,
  i128: { k: "i128" } as Schema,
  u128: { k: "u128" } as Schema,
  f32: { k: "f32" } as Schema,
  f64: { k: "f64" } as Schema,
  string: { k: "string" } as Schema,
  fr: { k: "fr" } as Schema,
  g1: { k: "g1" } as Schema,
  vec: (of: Schema): Schema => ({ k: "vec", of }),
  option: (of: Schema): Schema => ({ k: "option", of }),
  map: (key: Schema, value: Schema): Schema => ({ k: "map", key, value }),
  tuple: (...items: Schema[]): Schema => ({ k: "tuple", items }),
  struct: (name: string, fields: [string, Schema][]): Schema => ({ k: "struct", name, fields }),
  enumOf: (name: string, variants: [string, Schema | null][]): Schema => ({ k: "enum", name, variants }),
  lazy: (get: () => Schema): Schema => ({ k: "lazy", get }),
};

class Writer {
  private buf = new Uint8Array(4096);
  private len = 0;
  private dv = new DataView(this.buf.buffer);
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number) { this.ensure(1); this.dv.setUint8(this.len, v); this.len += 1; }
  u32(v: number) { this.ensure(4); this.dv.setUint32(this.len, v, true); this.len += 4; }
  i32(v: number) { this.ensure(4); this.dv.setInt32(this.len, v, true); this.len += 4; }
  u64(v: bigint) { this.ensure(8); this.dv.setBigUint64(this.len, v, true); this.len += 8; }
  i64(v: bigint) { this.ensure(8); this.dv.setBigInt64(this.len, v, true); this.len += 8; }
  f32(v: number) { this.ensure(4); this.dv.setFloat32(this.len, v, true); this.len += 4; }
  f64(v: number) { this.ensure(8); this.dv.setFloat64(this.len, v, true); this.len += 8; }
  bytes(b: Uint8Array) { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  le(v: bigint, n: number) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) { b[i] = Number(v & 0xffn); v >>= 8n; }
    this.bytes(b);
  }
  finish() { return this.buf.slice(0, this.len); }
}

class Reader {
  private pos = 0;
  private dv: DataView;
  constructor(private buf: Uint8Array) { this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
  get offset() { return this.pos; }
  private need(n: number, what: string) {
    if (this.pos + n > this.buf.length)
      throw new BincodeError(`unexpected end of data reading ${what} at offset ${this.pos} (${this.buf.length} bytes)`);
  }
  u8(w: string) { this.need(1, w); return this.dv.getUint8(this.pos++); }
  u32(w: string) { this.need(4, w); const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(w: string) { this.need(4, w); const v = this.dv.getInt32(this.pos, true); this.pos += 4; return v; }
  u64(w: string) { this.need(8, w); const v = this.dv.getBigUint64(this.pos, true); this.pos += 8; return v; }
  i64(w: string) { this.need(8, w); const v = this.dv.getBigInt64(this.pos, true); this.pos += 8; return v; }
  f32(w: string) { this.need(4, w); const v = this.dv.getFloat32(this.pos, true); this.pos += 4; return v; }
  f64(w: string) { this.need(8, w); const v = this.dv.getFloat64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number, w: string) { this.need(n, w); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  le(n: number, w: string) {
    const b = this.bytes(n, w);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  }
}

const safe = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new BincodeError(`${what} value ${v} does not fit a JS safe integer`);
  return Number(v);
};

const int = (v: unknown, path: string): bigint => {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new BincodeError(`${path}: expected an integer, got ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
};

/* eslint-disable @typescript-eslint/no-explicit-any */
function enc(w: Writer, s: Schema, v: any, path: string): void {
  switch (s.k) {
    case "u8": w.u8(Number(int(v, path))); return;
    case "bool":
      if (typeof v !== "boolean") throw new BincodeError(`${path}: expected a boolean`);
      w.u8(v ? 1 : 0); return;
    case "u32": w.u32(Number(int(v, path))); return;
    case "i32": w.i32(Number(int(v, path))); return;
    case "u64": w.u64(int(v, path)); return;
    case "i64": w.i64(int(v, path)); return;
    case "i128": w.le(BigInt.asUintN(128, int(v, path)), 16); return;
    case "u128": w.le(int(v, path), 16); return;
    case "f32": if (typeof v !== "number") throw new BincodeError(`${path}: expected f32`); w.f32(v); return;
    case "f64": if (typeof v !== "number") throw new BincodeError(`${path}: expected f64`); w.f64(v); return;
    case "string": {
      if (typeof v !== "string") throw new BincodeError(`${path}: expected a string`);
      const b = new TextEncoder().encode(v);
      w.u64(BigInt(b.length)); w.bytes(b); return;
    }
    case "fr": {
      let x = int(v, path);
      if (x < 0n) x += FR_MODULUS;
      if (x < 0n || x >= FR_MODULUS) throw new BincodeError(`${path}: field element out of range`);
      w.le(x, 32); return;
    }
    case "g1":
      if (!(v instanceof Uint8Array) || v.length !== 32) throw new BincodeError(`${path}: expected 32-byte G1`);
      w.bytes(v); return;
    case "vec":
      if (!Array.isArray(v)) throw new BincodeError(`${path}: expected an array`);
      w.u64(BigInt(v.length));
      v.forEach((x, i) => enc(w, s.of, x, `${path}[${i}]`));
      return;
    case "option":
      if (v === null || v === undefined) { w.u8(0); return; }
      w.u8(1); enc(w, s.of, v, path); return;
    case "map": {
      if (!Array.isArray(v)) throw new BincodeError(`${path}: expected an array of [key, value] pairs`);
      const pairs = [...v].sort((a, b) => (int(a[0], path) < int(b[0], path) ? -1 : 1));
      w.u64(BigInt(pairs.length));
      for (const [k, x] of pairs) { enc(w, s.key, k, `${path}.key`); enc(w, s.value, x, `${path}[${k}]`); }
      return;
    }
    case "tuple":
      if (!Array.isArray(v) || v.length !== s.items.length) throw new BincodeError(`${path}: expected a ${s.items.length}-tuple`);
      s.items.forEach((it, i) => enc(w, it, v[i], `${path}.${i}`));
      return;
    case "struct":
      if (v === null || typeof v !== "object") throw new BincodeError(`${path}: expected ${s.name} object`);
      for (const [f, fs] of s.fields) {
        if (!(f in v) && fs.k !== "option") throw new BincodeError(`${path}: ${s.name} is missing field '${f}'`);
        enc(w, fs, v[f], `${path}.${f}`);
      }
      return;
    case "enum": {
      let name: string; let payload: any;
      if (typeof v === "string") { name = v; payload = undefined; }
      else if (v && typeof v === "object" && Object.keys(v).length === 1) { name = Object.keys(v)[0]; payload = v[name]; }
      else throw new BincodeError(`${path}: expected a ${s.name} variant`);
      const idx = s.variants.findIndex(([n]) => n === name);
      if (idx < 0) throw new BincodeError(`${path}: unknown ${s.name} variant '${name}'`);
      w.u32(idx);
      const ps = s.variants[idx][1];
      if (ps) enc(w, ps, payload, `${path}.${name}`);
      else if (payload !== undefined) throw new BincodeError(`${path}: ${s.name}::${name} is a unit variant`);
      return;
    }
    case "newtype": enc(w, s.of, v, path); return;
    case "lazy": enc(w, s.get(), v, path); return;
  }
}

function dec(r: Reader, s: Schema, path: string): any {
  switch (s.k) {
    case "u8": return r.u8(path);
    case "bool": {
      const b = r.u8(path);
      if (b > 1) throw new BincodeError(`${path}: invalid bool byte ${b} at offset ${r.offset - 1}`);
      return b === 1;
    }
    case "u32": return r.u32(path);
    case "i32": return r.i32(path);
    case "u64": return safe(r.u64(path), path);
    case "i64": return safe(r.i64(path), path);
    case "i128": return safe(BigInt.asIntN(128, r.le(16, path)), path);
    case "u128": return safe(r.le(16, path), path);
    case "f32": return r.f32(path);
    case "f64": return r.f64(path);
    case "string": {
      const n = safe(r.u64(path), path);
      return new TextDecoder("utf-8", { fatal: true }).decode(r.bytes(n, path));
    }
    case "fr": {
      const x = r.le(32, path);
      if (x >= FR_MODULUS) throw new BincodeError(`${path}: field element >= r at offset ${r.offset - 32}`);
      return x;
    }
    case "g1": return new Uint8Array(r.bytes(32, path));
    case "vec": {
      const n = safe(r.u64(path), path);
      const out = [];
      for (let i = 0; i < n; i++) out.push(dec(r, s.of, `${path}[${i}]`));
      return out;
    }
    case "option": {
      const tag = r.u8(path);
      if (tag === 0) return null;
      if (tag !== 1) throw new BincodeError(`${path}: invalid Option tag ${tag} at offset ${r.offset - 1}`);
      return dec(r, s.of, path);
    }
    case "map": {
      const n = safe(r.u64(path), path);
      const out = [];
      for (let i = 0; i < n; i++) { const k = dec(r, s.key, `${path}.key`); out.push([k, dec(r, s.value, `${path}[${k}]`)]); }
      return out;
    }
    case "tuple": return s.items.map((it, i) => dec(r, it, `${path}.${i}`));
    case "struct": {
      const o: Record<string, any> = {};
      for (const [f, fs] of s.fields) o[f] = dec(r, fs, `${path}.${f}`);
      return o;
    }
    case "enum": {
      const at = r.offset;
      const idx = r.u32(path);
      if (idx >= s.variants.length) throw new BincodeError(`${path}: invalid ${s.name} variant index ${idx} at offset ${at}`);
      const [name, ps] = s.variants[idx];
      return ps ? { [name]: dec(r, ps, `${path}.${name}`) } : name;
    }
    case "newtype": return dec(r, s.of, path);
    case "lazy": return dec(r, s.get(), path);
  }
}

export function encode(schema: Schema, value: unknown, what = "value"): Uint8Array {
  const w = new Writer();
  enc(w, schema, value, what);
  return w.finish();
}

/** Decode one value; returns it and the number of bytes consumed (bincode tolerates trailing bytes). */
export function decode(schema: Schema, bytes: Uint8Array, what = "value"): { value: any; consumed: number } {
  const r = new Reader(bytes);
  const value = dec(r, schema, what);
  return { value, consumed: r.offset };
}
