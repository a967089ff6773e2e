// Encodes a CircuitDescription (+ the SRS's g1/g2/s_g2) as the "verifying artifact" that the circuit-independent
// Solidity verifier (contracts/verifiers/halo2/Halo2Verifier.sol) interprets. One module per section of the
// contract (artifact/): format (shared constants), inputs (proof layout), transcript, program (gates, permutation,
// lookups), shplonk, header. Payload layout (offsets in bytes from the payload start; words are 32-byte big-endian):
//
//   header: HEADER_WORDS words, then the extra-chunk addresses (one word each)
//   vk points: fixed commitments then permutation (sigma) commitments, x‖y each (identity = 0‖0)
//   constants: field elements used by the constraint program
//   program: postfix bytecode computing every constraint, folded with y (EMIT = acc·y + top)
//   shplonk: the distinct opening rotations (as ω^rot), then each rotation set: its points, its Lagrange
//            denominators, and each commitment (base reference + per-point evaluation source)
import { parseHex } from "../field.js";
import type { CircuitDescription } from "../circuit/types.js";
import type { SrsVerifierParams } from "../circuit/encoding.js";
import { ArtifactError, HEADER_WORDS, Writer } from "./artifact/format.js";
import { encodeHeader, g1Words } from "./artifact/header.js";
import { proofLayout } from "./artifact/inputs.js";
import { compileConstraintProgram } from "./artifact/program/index.js";
import { encodeShplonk } from "./artifact/shplonk.js";
import { challengeOffsets } from "./artifact/transcript.js";

export { ArtifactError, ARTIFACT_VERSION, BASE, EVAL_H, H, HEADER_WORDS, MAX_CHUNK_PAYLOAD, MAX_REGISTERS, MAX_STACK, OP, TABLE, VAR } from "./artifact/format.js";

export interface VerifyingArtifact {
  /** The whole payload (what the verifier reassembles in memory). */
  payload: Uint8Array;
  /** Payload split into data-contract chunks; chunk 0 is the artifact address the adapter binds. */
  chunkCount: number;
  stats: { programBytes: number; constants: number; constraints: number; maxStack: number; vkPoints: number; shplonkBytes: number };
}

/** Payload for a description; `extraChunkAddresses` are the continuation data contracts listed in the header. */
export function encodeArtifact(desc: CircuitDescription, srs: SrsVerifierParams, extraChunkAddresses: string[] = []): VerifyingArtifact {
  const layout = proofLayout(desc);
  const challenges = challengeOffsets(desc);
  const program = compileConstraintProgram(desc, layout);
  const shplonk = encodeShplonk(desc, layout);

  const vkPoints = [...desc.fixedCommitments, ...desc.permutationCommitments];
  const vkPointsOffset = 32 * (HEADER_WORDS + extraChunkAddresses.length);
  const constantsOffset = vkPointsOffset + 64 * vkPoints.length;
  const programOffset = constantsOffset + 32 * program.constants.length;
  const shplonkOffset = programOffset + program.code.length;
  const totalLength = shplonkOffset + shplonk.length;
  const header = encodeHeader(desc, srs, layout, challenges, {
    vkPointsOffset,
    numVkPoints: vkPoints.length,
    constantsOffset,
    programOffset,
    shplonkOffset,
    totalLength,
    numExtraChunks: extraChunkAddresses.length,
  });

  const w = new Writer();
  for (const h of header) w.word(h);
  for (const a of extraChunkAddresses) w.word(parseHex(a));
  for (const pt of vkPoints) g1Words(pt).forEach((v) => w.word(v));
  for (const c of program.constants) w.word(c);
  w.bytes.push(...program.code.bytes);
  w.bytes.push(...shplonk.bytes);
  if (w.length !== totalLength) throw new ArtifactError(`length ${w.length} != ${totalLength} (encoder bug)`);
  return {
    payload: Uint8Array.from(w.bytes),
    chunkCount: 1 + extraChunkAddresses.length,
    stats: {
      programBytes: program.code.length,
      constants: program.constants.length,
      constraints: program.emits,
      maxStack: program.maxDepth,
      vkPoints: vkPoints.length,
      shplonkBytes: shplonk.length,
    },
  };
}
