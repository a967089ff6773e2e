/** Public API of the Twinpath model compiler. */
export { buildOnnxModel, type OnnxModelSpec, type NodeSpec, type InitializerSpec } from "./onnx/write.js";
export { readOnnxModel, OnnxError, type OnnxGraph } from "./onnx/read.js";
export { compileModel, defaultSamples, type CompileOptions, type CompiledModel } from "./compile.js";
export { CompileError, UnsupportedOpError, SUPPORTED_OPS, lowerGraph, simulate } from "./graph/lower.js";
export { OverflowError, CalibrationError } from "./calibrate.js";
export {
  buildBundle, loadBundle, verifyBundle, manifestHash, serializeManifest, runOnnx, accuracyReport, BundleError,
  FILE_NAMES, BUNDLE_FORMAT, type Manifest, type LoadedBundle, type BuildBundleOptions, type BuildResult,
} from "./bundle.js";
export { quantize as quantizeInput, dequantize as dequantizeOutput, QuantizeError } from "../protocol/fixedPoint.js";
export { generateDevSrs, downsizeSrs, srsK, SrsError } from "./srs/srs.js";
export { genWitness, genVk, genPk, prove, verify, feltHexToInt, ENGINE_ID } from "./engine/engine.js";
export { encode as bincodeEncode, decode as bincodeDecode, BincodeError } from "./bincode/codec.js";
export { GraphCircuit, GraphSettings } from "./circuit/schema.js";
