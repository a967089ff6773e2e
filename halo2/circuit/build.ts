// Builds a CircuitDescription from the pinned verifying-key text and the VK bytes, running the checks that tie
// the text to the key: commitments equal the VK bytes, the VK length matches the parsed constraint system, and
// (when a proof is given) the predicted proof length equals the real one. Any failed check throws.
import { createHash } from "node:crypto";
import { FQ_MODULUS, FR_MODULUS, inv, parseHex, pow, toHex32 } from "../field.js";
import { vkDigestOfPinnedText } from "./digest.js";
import { parseVkBytes } from "./encoding.js";
import { deriveParameters } from "./layout.js";
import { parsePinnedVerifyingKey } from "./pinned.js";
import type { CircuitDescription, G1Hex } from "./types.js";

export const ENGINE_PACKAGE = "@ezkljs/engine@21.0.0";
export const ENGINE_WASM_SHA256 = "285e56888861889857c4de76d97fef18fe307ca6d2d942c73dd2df2d8984904b";

export class CircuitCheckError extends Error {
  constructor(
    readonly check: "commitments" | "vk-length" | "digest" | "proof-length" | "domain" | "moduli" | "settings",
    message: string,
  ) {
    super(`circuit description check '${check}' failed: ${message}`);
    this.name = "CircuitCheckError";
  }
}

export interface BuildOptions {
  pinnedText: string;
  vkBytes: Uint8Array;
  /** Result of scanning engine memory for the digest's Montgomery form after genVk (true = found). */
  digestInEngineMemory: boolean;
  /** Length of a real proof for this key, when one is available. */
  realProofLength?: number;
  instanceCounts?: number[] | null;
}

const samePoint = (a: G1Hex | null, b: G1Hex | null) => (a === null || b === null ? a === b : a.x === b.x && a.y === b.y);

export function buildCircuitDescription(o: BuildOptions): CircuitDescription {
  const pinned = parsePinnedVerifyingKey(o.pinnedText);
  if (parseHex(pinned.baseModulus) !== FQ_MODULUS || parseHex(pinned.scalarModulus) !== FR_MODULUS) {
    throw new CircuitCheckError("moduli", "the key is not over BN254");
  }
  const cs = pinned.cs;
  let vk;
  try {
    vk = parseVkBytes(o.vkBytes, cs.permutationColumns.length, cs.numSelectors);
  } catch (e) {
    throw new CircuitCheckError("vk-length", (e as Error).message);
  }
  if (vk.k !== pinned.k) throw new CircuitCheckError("domain", `vk bytes say k=${vk.k}, pinned text says k=${pinned.k}`);
  if (vk.numFixed !== cs.numFixedColumns) throw new CircuitCheckError("vk-length", `vk has ${vk.numFixed} fixed commitments, cs has ${cs.numFixedColumns} fixed columns`);
  if (pinned.fixedCommitments.length !== vk.fixedCommitments.length || !pinned.fixedCommitments.every((p, i) => samePoint(p, vk.fixedCommitments[i]))) {
    throw new CircuitCheckError("commitments", "fixed commitments in the pinned text differ from the VK bytes");
  }
  if (pinned.permutationCommitments.length !== vk.permutationCommitments.length || !pinned.permutationCommitments.every((p, i) => samePoint(p, vk.permutationCommitments[i]))) {
    throw new CircuitCheckError("commitments", "permutation commitments in the pinned text differ from the VK bytes");
  }
  if (!o.digestInEngineMemory) throw new CircuitCheckError("digest", "the digest of the pinned text was not found in engine memory after genVk");

  const n = 2 ** pinned.k;
  const omega = parseHex(pinned.omega);
  if (pow(omega, BigInt(n)) !== 1n || (n > 1 && pow(omega, BigInt(n / 2)) === 1n)) {
    throw new CircuitCheckError("domain", "omega is not a primitive 2^k-th root of unity");
  }
  const derived = deriveParameters(cs);
  if (pinned.extendedK < pinned.k || 2 ** pinned.extendedK < n * (derived.csDegree - 1)) {
    throw new CircuitCheckError("domain", `extended_k=${pinned.extendedK} is inconsistent with degree ${derived.csDegree}`);
  }
  if (o.realProofLength !== undefined && o.realProofLength !== derived.proofLength) {
    throw new CircuitCheckError("proof-length", `predicted ${derived.proofLength} bytes, the real proof has ${o.realProofLength}`);
  }
  const instanceCounts = o.instanceCounts ?? null;
  if (instanceCounts && instanceCounts.length !== cs.numInstanceColumns) {
    throw new CircuitCheckError("settings", `settings give ${instanceCounts.length} instance columns, the key has ${cs.numInstanceColumns}`);
  }
  return {
    format: "twinpath-halo2-circuit/1",
    engine: { package: ENGINE_PACKAGE, wasmSha256: ENGINE_WASM_SHA256 },
    k: pinned.k,
    n,
    extendedK: pinned.extendedK,
    omega: pinned.omega,
    omegaInv: toHex32(inv(omega)),
    vkDigest: toHex32(vkDigestOfPinnedText(o.pinnedText)),
    compressSelectors: vk.compressSelectors,
    cs,
    fixedCommitments: pinned.fixedCommitments,
    permutationCommitments: pinned.permutationCommitments,
    instanceCounts,
    derived,
    checks: {
      commitmentsMatchVk: true,
      vkLengthMatches: true,
      digestInEngineMemory: true,
      proofLengthMatches: o.realProofLength === undefined ? "not-checked" : true,
    },
    pinnedTextSha256: createHash("sha256").update(o.pinnedText).digest("hex"),
  };
}
