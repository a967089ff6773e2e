// Verifier artifacts for a circuit: the verifying-artifact payload split into data contracts (SSTORE2-style: runtime
// code = STOP ‖ payload), plus the deploy plan (shared Halo2Verifier, data chunks, per-model adapter).
import type { CircuitDescription } from "../circuit/types.js";
import type { SrsVerifierParams } from "../circuit/encoding.js";
import { ArtifactError, encodeArtifact, MAX_CHUNK_PAYLOAD, type VerifyingArtifact } from "./artifact.js";

export const CONTRACT_SIZE_LIMIT = 24576;
const PLACEHOLDER = "0x" + "00".repeat(20);

export interface ArtifactChunks {
  /** Payloads of the continuation chunks (deploy these first; their addresses go into chunk 0's header). */
  extraChunkPayloads: Uint8Array[];
  /** Chunk 0's payload once the continuation chunks' addresses are known. */
  firstChunkPayload(extraChunkAddresses: string[]): Uint8Array;
  artifact: VerifyingArtifact;
}

export interface VerifierArtifacts {
  chunks: ArtifactChunks;
  /** Deploy order: the shared verifier (once per chain), the data chunks, then one adapter per model. */
  deployPlan: { step: string; contract: string; note: string }[];
  /** The payload with zero addresses in place of the continuation chunks (for sizes and offline inspection). */
  payload: Uint8Array;
}

/** Splits the artifact into chunks that each fit the EIP-170 limit (with the leading STOP byte). */
export function planArtifactChunks(desc: CircuitDescription, srs: SrsVerifierParams, maxChunkPayload = MAX_CHUNK_PAYLOAD): ArtifactChunks {
  if (!Number.isInteger(maxChunkPayload) || maxChunkPayload < 32 * 64 || maxChunkPayload > MAX_CHUNK_PAYLOAD) {
    throw new ArtifactError(`chunk payload size ${maxChunkPayload} is out of range`);
  }
  let extra = 0;
  for (let iter = 0; iter < 8; iter++) {
    const art = encodeArtifact(desc, srs, new Array(extra).fill(PLACEHOLDER));
    const needed = Math.ceil(art.payload.length / maxChunkPayload) - 1;
    if (needed === extra) {
      const payload = art.payload;
      const extraChunkPayloads: Uint8Array[] = [];
      for (let i = 1; i <= extra; i++) extraChunkPayloads.push(payload.slice(i * maxChunkPayload, (i + 1) * maxChunkPayload));
      return {
        extraChunkPayloads,
        artifact: art,
        firstChunkPayload(addresses: string[]) {
          if (addresses.length !== extra) throw new ArtifactError(`expected ${extra} continuation chunk address(es), got ${addresses.length}`);
          const full = encodeArtifact(desc, srs, addresses).payload;
          if (full.length !== payload.length) throw new ArtifactError("payload length changed with the chunk addresses");
          return full.slice(0, maxChunkPayload);
        },
      };
    }
    extra = needed;
  }
  throw new ArtifactError("could not settle the chunk count");
}

/** Creation code of a data contract whose runtime code is STOP ‖ payload. */
export function dataContractInitcode(payload: Uint8Array): `0x${string}` {
  const runtimeLength = payload.length + 1;
  if (runtimeLength > CONTRACT_SIZE_LIMIT) throw new ArtifactError(`data chunk of ${runtimeLength} bytes exceeds the ${CONTRACT_SIZE_LIMIT}-byte limit`);
  // PUSH2 len, DUP1, PUSH1 0x0c, PUSH1 0, CODECOPY, PUSH1 0, RETURN  (12 bytes), then the runtime code
  const prefix = [0x61, runtimeLength >> 8, runtimeLength & 0xff, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3, 0x00];
  return ("0x" + Buffer.from([...prefix, ...payload]).toString("hex")) as `0x${string}`;
}

/** Runtime code a data contract must have for `payload` (to check a deployment). */
export function dataContractRuntime(payload: Uint8Array): `0x${string}` {
  return ("0x00" + Buffer.from(payload).toString("hex")) as `0x${string}`;
}

/** `maxChunkPayload` exists for tests of the multi-chunk path; the default fills each data contract to the limit. */
export function generateVerifierArtifacts(desc: CircuitDescription, srs: SrsVerifierParams, maxChunkPayload = MAX_CHUNK_PAYLOAD): VerifierArtifacts {
  const chunks = planArtifactChunks(desc, srs, maxChunkPayload);
  return {
    chunks,
    payload: chunks.artifact.payload,
    deployPlan: [
      { step: "verifier", contract: "Halo2Verifier", note: "circuit-independent; deploy once per chain and reuse" },
      ...chunks.extraChunkPayloads.map((p, i) => ({ step: `chunk ${i + 1}`, contract: "data", note: `${p.length + 1} bytes of runtime code` })),
      { step: "vka", contract: "data", note: "chunk 0 of the verifying artifact (holds the continuation chunk addresses); the adapter binds this address" },
      { step: "adapter", contract: "EzklReusableHalo2Adapter", note: "constructor(verifier, vka); register its address as the model's verifier" },
    ],
  };
}
