import { TwinpathError } from "../shared/errors.js";

/** 5xxx: the proof path. Permanent unless noted: retrying the same job cannot help. */

/** No local bundle matches the artifact hashes the registry holds for a model. */
export class BundleNotFoundError extends TwinpathError {
  override name = "BundleNotFoundError";
  override readonly code = 5001;
  override readonly permanent = true;
}

/** A local bundle's files do not hash to what the registry (or its manifest) says. */
export class BundleMismatchError extends TwinpathError {
  override name = "BundleMismatchError";
  override readonly code = 5002;
  override readonly permanent = true;
}

/** Proving failed inside the engine (bad witness, engine trap); retried. */
export class ProvingError extends TwinpathError {
  override name = "ProvingError";
  override readonly code = 5003;
}

/** A proof's bytes do not hash to the hash they were published under. */
export class ProofHashMismatchError extends TwinpathError {
  override name = "ProofHashMismatchError";
  override readonly code = 5004;
  override readonly permanent = true;
}

/** Not a proof-path model (fast path only) or a mode the node cannot serve. */
export class UnsupportedModeError extends TwinpathError {
  override name = "UnsupportedModeError";
  override readonly code = 5005;
  override readonly permanent = true;
}
