import type { Hex } from "viem";

/** A model file fetched from a store, already checked against its registered hash. */
export interface ModelBytes {
  onnxHash: Hex;
  bytes: Uint8Array;
  /** where it came from (path, URL) for logs */
  source: string;
}

/**
 * Where executors get model files by content hash: the ONNX file, and the compiled circuit (EZKL's model.compiled,
 * the registry's circuitHash) whose witness is the executor's answer. Implementations must refuse bytes whose
 * keccak256 differs from the requested hash (ModelHashMismatchError) and report a missing file as
 * UnknownModelError. The local folder store is the default; an HTTP/IPFS/S3 store would implement the same methods.
 */
export interface ModelStore {
  readonly description: string;
  load(onnxHash: Hex): Promise<ModelBytes>;
  loadCircuit(circuitHash: Hex): Promise<{ circuitHash: Hex; bytes: Uint8Array; source: string }>;
}
