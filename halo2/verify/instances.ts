// Instances as the engine's proof JSON stores them: per column, 32-byte little-endian hex strings.
import { FR_MODULUS } from "../field.js";

export function instancesFromProofJson(proofJson: { instances?: unknown }): bigint[][] {
  const cols = proofJson.instances;
  if (!Array.isArray(cols)) throw new Error("proof JSON has no instances array");
  return cols.map((col, c) => {
    if (!Array.isArray(col)) throw new Error(`instances[${c}] is not an array`);
    return col.map((h, i) => {
      if (typeof h !== "string" || !/^[0-9a-fA-F]{64}$/.test(h)) throw new Error(`instances[${c}][${i}] is not 32-byte hex`);
      const v = BigInt("0x" + Buffer.from(h, "hex").reverse().toString("hex"));
      if (v >= FR_MODULUS) throw new Error(`instances[${c}][${i}] is not a canonical field element`);
      return v;
    });
  });
}
