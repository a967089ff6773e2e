// The header words (Halo2Verifier.sol H_*): what the verifier needs before it reads anything else.
import { FQ_MODULUS, inv, parseHex } from "../../field.js";
import type { CircuitDescription, G1Hex } from "../../circuit/types.js";
import type { G2Hex, SrsVerifierParams } from "../../circuit/encoding.js";
import { ARTIFACT_VERSION, H, HEADER_WORDS } from "./format.js";
import type { ProofLayout } from "./inputs.js";

/** A G1 point as two words; the identity is 0‖0. */
export function g1Words(p: G1Hex | null): [bigint, bigint] {
  return p === null ? [0n, 0n] : [parseHex(p.x), parseHex(p.y)];
}

/** A G2 point in EIP-197 order (x.c1, x.c0, y.c1, y.c0), optionally negated. */
function g2Words(v: G2Hex, negate: boolean): bigint[] {
  const [x0, x1, y0, y1] = [v.x[0], v.x[1], v.y[0], v.y[1]].map(parseHex);
  const ny = (y: bigint) => (negate && y !== 0n ? FQ_MODULUS - y : y);
  return [x1, x0, ny(y1), ny(y0)];
}

/** Where the later sections start in the payload, and its total length. */
export interface PayloadOffsets {
  vkPointsOffset: number;
  numVkPoints: number;
  constantsOffset: number;
  programOffset: number;
  shplonkOffset: number;
  totalLength: number;
  numExtraChunks: number;
}

export function encodeHeader(desc: CircuitDescription, srs: SrsVerifierParams, layout: ProofLayout, challengeOffsets: number[], at: PayloadOffsets): bigint[] {
  const hSection = layout.section("vanishing_h_commitments");
  const header: bigint[] = new Array(HEADER_WORDS).fill(0n);
  header[H.version] = ARTIFACT_VERSION;
  header[H.digest] = parseHex(desc.vkDigest);
  header[H.k] = BigInt(desc.k);
  header[H.omega] = parseHex(desc.omega);
  header[H.omegaInv] = parseHex(desc.omegaInv);
  header[H.nInv] = inv(BigInt(desc.n));
  header[H.numInstances] = BigInt(layout.numInstances);
  header[H.proofLength] = BigInt(layout.proofLength);
  header[H.scalarsStart] = BigInt(layout.scalarsStart);
  header[H.h1Offset] = BigInt(layout.h1Offset);
  header[H.hOffset] = BigInt(hSection.offset);
  header[H.hCount] = BigInt(hSection.count);
  header[H.blindingFactors] = BigInt(desc.derived.blindingFactors);
  header[H.programOffset] = BigInt(at.programOffset);
  header[H.constantsOffset] = BigInt(at.constantsOffset);
  header[H.shplonkOffset] = BigInt(at.shplonkOffset);
  header[H.vkPointsOffset] = BigInt(at.vkPointsOffset);
  header[H.numVkPoints] = BigInt(at.numVkPoints);
  const g1 = g1Words(srs.g1);
  header[H.g1] = g1[0];
  header[H.g1 + 1] = g1[1];
  g2Words(srs.g2, true).forEach((w, i) => (header[H.negG2 + i] = w));
  g2Words(srs.sG2, false).forEach((w, i) => (header[H.sG2 + i] = w));
  challengeOffsets.forEach((o, i) => (header[H.challenges + i] = BigInt(o)));
  header[H.numExtraChunks] = BigInt(at.numExtraChunks);
  header[H.totalLength] = BigInt(at.totalLength);
  return header;
}
