// Public surface of the Halo2 module: circuit description (stage 1) and the TS verifier (stage 2).
export type { CircuitDescription, ConstraintSystem, Expr, G1Hex, ProofSection, ChallengeStep } from "./circuit/types.js";
export { describeCircuit, describeBundle, bundleFiles, instanceCountsFromSettings, proofBytesOf, assertPinnedEngine, ScrapeError } from "./circuit/describe.js";
export { buildCircuitDescription, CircuitCheckError } from "./circuit/build.js";
export { loadCircuitDescription, CircuitDescriptionError } from "./circuit/load.js";
export { readSrsVerifierParams, parseVkBytes, type SrsVerifierParams, type G2Hex } from "./circuit/encoding.js";
export { vkDigestOfPinnedText } from "./circuit/digest.js";
export { verifyProof, verifyProofDetailed, type VerifyResult, type VerifierSrs, type VerifierObserver } from "./verify/verifier.js";
export { instancesFromProofJson } from "./verify/instances.js";
