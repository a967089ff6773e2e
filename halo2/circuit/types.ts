// The serialisable description of a Halo2 circuit (EZKL v21 engine build), as consumed by the TS verifier and
// meant to be consumed by a Solidity generator. Field elements and coordinates are 0x-prefixed 64-digit hex.

export type ColumnType = "advice" | "fixed" | "instance";

/** A polynomial expression of the constraint system (halo2 `Expression`), with halo2's query indices. */
export type Expr =
  | { t: "const"; v: string }
  | { t: "selector"; index: number; simple: boolean }
  | { t: "fixed"; query: number; column: number; rotation: number }
  | { t: "advice"; query: number; column: number; rotation: number; phase: number }
  | { t: "instance"; query: number; column: number; rotation: number }
  | { t: "challenge"; index: number; phase: number }
  | { t: "neg"; a: Expr }
  | { t: "sum"; a: Expr; b: Expr }
  | { t: "prod"; a: Expr; b: Expr }
  | { t: "scaled"; a: Expr; s: string };

export interface ColumnQuery {
  column: number;
  rotation: number;
}

export interface ColumnRef {
  type: ColumnType;
  index: number;
}

/** One mv-lookup (logUp) argument in the zkonduit fork's chunked form: several input sets share one table. */
export interface MvLookup {
  table: Expr[];
  inputs: Expr[][];
}

export interface Shuffle {
  inputs: Expr[];
  shuffles: Expr[];
}

export interface G1Hex {
  x: string;
  y: string;
}

export interface ConstraintSystem {
  numFixedColumns: number;
  numAdviceColumns: number;
  numInstanceColumns: number;
  numSelectors: number;
  numChallenges: number;
  adviceColumnPhase: number[];
  challengePhase: number[];
  /** Every gate polynomial, flattened in gate order (the order the verifier folds them with y). */
  gates: Expr[];
  adviceQueries: ColumnQuery[];
  instanceQueries: ColumnQuery[];
  fixedQueries: ColumnQuery[];
  permutationColumns: ColumnRef[];
  lookups: MvLookup[];
  shuffles: Shuffle[];
  constants: number[];
  minimumDegree: number | null;
}

/** What the pinned verifying key text says (the digest preimage), parsed. */
export interface PinnedVerifyingKey {
  baseModulus: string;
  scalarModulus: string;
  k: number;
  extendedK: number;
  omega: string;
  cs: ConstraintSystem;
  /** null = the point at infinity. */
  fixedCommitments: (G1Hex | null)[];
  permutationCommitments: (G1Hex | null)[];
}

/** One group of consecutive proof elements, in transcript order. */
export interface ProofSection {
  name: string;
  kind: "point" | "scalar";
  count: number;
  /** Byte offset of the first element in the proof. */
  offset: number;
}

/** A challenge squeezed after a given number of proof bytes (in transcript order). */
export interface ChallengeStep {
  name: string;
  afterProofBytes: number;
}

/**
 * One KZG opening in halo2's query order: a commitment opened at x·ω^rotation. `evalOffset` is the proof byte
 * offset of the claimed evaluation, or null for the vanishing quotient "h" whose evaluation the verifier computes.
 * Commitment names: advice:i, fixed:i (VK), sigma:i (VK permutation), perm_z:i, m:i, phi:i, random, and
 * h = Σ xn^i · h_i over the quotient pieces.
 */
export interface Opening {
  commitment: string;
  rotation: number;
  evalOffset: number | null;
}

/** SHPLONK grouping: commitments opened at the same set of rotations, in order of first appearance. */
export interface RotationSet {
  rotations: number[];
  commitments: string[];
}

/** Values computed from the constraint system that the verifier and code generators need. */
export interface DerivedParameters {
  csDegree: number;
  quotientPieces: number;
  blindingFactors: number;
  permutationChunkLen: number;
  permutationChunks: number;
  /** For each permutation column, the index of its rotation-0 query in the advice/fixed/instance query list. */
  permutationQueryIndex: number[];
  proofLength: number;
  proofSections: ProofSection[];
  challenges: ChallengeStep[];
  openings: Opening[];
  rotationSets: RotationSet[];
}

export interface CircuitDescription {
  format: "twinpath-halo2-circuit/1";
  engine: { package: string; wasmSha256: string };
  k: number;
  n: number;
  extendedK: number;
  omega: string;
  omegaInv: string;
  /** vk.transcript_repr: Blake2b-512("Halo2-Verify-Key") of the pinned text, reduced mod r. */
  vkDigest: string;
  compressSelectors: boolean;
  cs: ConstraintSystem;
  fixedCommitments: (G1Hex | null)[];
  permutationCommitments: (G1Hex | null)[];
  /** Expected number of public values per instance column, when known from settings. */
  instanceCounts: number[] | null;
  derived: DerivedParameters;
  /** Which independent checks passed when this description was produced. */
  checks: {
    commitmentsMatchVk: boolean;
    vkLengthMatches: boolean;
    digestInEngineMemory: boolean;
    proofLengthMatches: boolean | "not-checked";
  };
  /** sha256 of the pinned text (the digest preimage), for audit. */
  pinnedTextSha256: string;
}
