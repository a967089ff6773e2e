
/**
 * The engine's proof is a JSON document (Snark: proof bytes, instances as LE hex, transcript type). On chain and in
 * the proof store only the raw proof bytes travel (what a Solidity verifier takes); the JSON is rebuilt around
 * them with the instances the verifier derives itself, so a verification node never trusts instances from the
 * prover.
 */
export interface EngineProof {
  proof: number[];
  instances: string[][];
  transcript_type?: string;
  [key: string]: unknown;
}

export function parseEngineProof(bytes: Uint8Array): EngineProof {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as EngineProof;
  if (!Array.isArray(json.proof) || !Array.isArray(json.instances)) throw new Error("engine proof JSON lacks proof/instances");
  return json;
}

export const rawProofBytes = (p: EngineProof): Uint8Array => Uint8Array.from(p.proof);

/** Instances of the engine proof's single column, as field elements. */
export const proofInstances = (p: EngineProof): bigint[] => (p.instances[0] ?? []).map(fromLeHex);

/** Engine proof JSON for `proof` (raw bytes) with `instances` (field elements, one column). */
export function engineProofJson(proof: Uint8Array, instances: readonly bigint[]): Uint8Array {
  const doc = {
    protocol: null,
    instances: [instances.map(toLeHex)],
    proof: Array.from(proof),
    hex_proof: null,
    transcript_type: "EVM",
    split: null,
    pretty_public_inputs: null,
    timestamp: null,
    commitment: "KZG",
    version: null,
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Field element -> the engine's 32-byte little-endian hex. */
export function toLeHex(f: bigint): string {
  const hex = f.toString(16).padStart(64, "0");
  return Buffer.from(hex, "hex").reverse().toString("hex");
}

export function fromLeHex(h: string): bigint {
  return BigInt("0x" + Buffer.from(h, "hex").reverse().toString("hex"));
}
