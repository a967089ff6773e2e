// The verifying-artifact format shared with contracts/verifiers/halo2/Halo2Verifier.sol: header word indices, the
// program's opcodes and operand table, SHPLONK base kinds, and a big-endian byte writer. Every constant here has a
// twin in the Solidity contract; change both together (test/halo2-solidity/artifact-golden.test.ts pins the bytes).

export class ArtifactError extends Error {
  constructor(message: string) {
    super(`verifying artifact: ${message}`);
    this.name = "ArtifactError";
  }
}

export const ARTIFACT_VERSION = 2n;
/** Header word indices (Halo2Verifier.sol H_*). */
export const H = {
  version: 0,
  digest: 1,
  k: 2,
  omega: 3,
  omegaInv: 4,
  nInv: 5,
  numInstances: 6,
  proofLength: 7,
  scalarsStart: 8,
  h1Offset: 9,
  hOffset: 10,
  hCount: 11,
  blindingFactors: 12,
  programOffset: 13,
  constantsOffset: 14,
  shplonkOffset: 15,
  vkPointsOffset: 16,
  numVkPoints: 17,
  g1: 18, // 2 words
  negG2: 20, // 4 words: x.c1, x.c0, y.c1, y.c0 (EIP-197 order)
  sG2: 24, // 4 words
  challenges: 28, // 8 words: proof bytes absorbed before each squeeze
  numExtraChunks: 36,
  totalLength: 37,
} as const;
export const HEADER_WORDS = 38;

/**
 * Program opcodes (Halo2Verifier.sol _runProgram). The verifier keeps the top of the stack in a register and lays
 * out one memory table of words: [16 variables][16 registers][the proof's scalars][the constants]. Operand ops carry
 * a u16 word index into that table: PUSH pushes the word, ADD_TO/SUB_FROM/MUL_BY apply it to the top, STORE writes
 * the top to it and pops. Stack ops combine the top two entries (second ∘ top).
 */
export const OP = {
  END: 0,
  PUSH: 1,
  ADD_TO: 2,
  SUB_FROM: 3,
  MUL_BY: 4,
  ADD: 5,
  SUB: 6,
  MUL: 7,
  NEG: 8,
  EMIT: 9,
  STORE: 10,
} as const;
/** Word indices of the operand table. */
export const TABLE = { variables: 0, registers: 16, scalars: 32 } as const;
/** Program variables computed by the verifier before running the program (Halo2Verifier.sol V_*). */
export const VAR = { theta: 0, beta: 1, gamma: 2, x: 3, l0: 4, lLast: 5, active: 6, instanceEval: 7, betaX: 8 } as const;
export const MAX_STACK = 64;
export const MAX_REGISTERS = 16;
/** Commitment base kinds in the SHPLONK section. */
export const BASE = { proofPoint: 0, vkPoint: 1, quotient: 2 } as const;
/** Evaluation source meaning "the quotient evaluation the verifier computed". */
export const EVAL_H = 0xffff;
/** Runtime code of a data contract starts with STOP so it can never be executed meaningfully. */
export const MAX_CHUNK_PAYLOAD = 24576 - 1;

/** Big-endian byte sink with range-checked fields. */
export class Writer {
  bytes: number[] = [];
  u8(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ArtifactError(`u8 out of range: ${v}`);
    this.bytes.push(v);
  }
  u16(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ArtifactError(`u16 out of range: ${v}`);
    this.bytes.push(v >> 8, v & 0xff);
  }
  word(v: bigint): void {
    if (v < 0n || v >= 1n << 256n) throw new ArtifactError(`word out of range: ${v}`);
    for (let i = 31; i >= 0; i--) this.bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  }
  get length(): number {
    return this.bytes.length;
  }
}
