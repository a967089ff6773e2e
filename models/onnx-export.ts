/**
 * Turn a trained layer stack into an ONNX graph spec for the compiler's writer
 * (compiler/onnx/write.ts). Dense -> Gemm(transB=1), ReLU -> Relu, Sigmoid -> Sigmoid, Tanh -> Tanh,
 * conv2d -> Reshape (only before the first layer, to NCHW) + Conv, and Flatten before a Gemm that
 * follows a conv.
 */
import { buildOnnxModel, type InitializerSpec, type NodeSpec, type OnnxModelSpec } from "../compiler/onnx/write.js";
import type { LayerSpec } from "./train/layers.js";

export const ONNX_INPUT_NAME = "input";
export const ONNX_OUTPUT_NAME = "logits";
export const ONNX_OPSET = 13;

export class OnnxExportError extends Error {
  override name = "OnnxExportError";
}

export interface ExportInput {
  name: string;
  inputShape: number[];
  outputShape: number[];
  layers: readonly LayerSpec[];
  /** Per layer, its float32 parameter tensors (weights, bias). */
  params: readonly Float32Array[][];
  /** ONNX element type of the input (default float32); an integer input is Cast to float first. */
  inputElemType?: number;
}

/** The ONNX graph spec of a trained network (inputs, outputs, initializers, nodes). */
export function toOnnxSpec(m: ExportInput): OnnxModelSpec {
  if (m.params.length !== m.layers.length) throw new OnnxExportError(`${m.name}: ${m.params.length} parameter groups for ${m.layers.length} layers`);
  const initializers: InitializerSpec[] = [];
  const nodes: NodeSpec[] = [];
  let current = ONNX_INPUT_NAME;
  if (m.inputElemType !== undefined && m.inputElemType !== 1) {
    nodes.push({ op: "Cast", inputs: [current], outputs: ["input_float"], attributes: { to: 1 } });
    current = "input_float";
  }
  /** Rank of `current`: 2 for [1, n], 4 for [1, C, H, W]. */
  let rank = m.inputShape.length;
  m.layers.forEach((layer, i) => {
    const last = i === m.layers.length - 1;
    const out = last ? ONNX_OUTPUT_NAME : `h${i}`;
    const [w, b] = m.params[i];
    switch (layer.kind) {
      case "dense": {
        if (rank !== 2) {
          const flat = `${current}_flat`;
          nodes.push({ op: "Flatten", inputs: [current], outputs: [flat], attributes: { axis: 1 } });
          current = flat;
          rank = 2;
        }
        initializers.push({ name: `W${i}`, dims: [layer.outputs, layer.inputs], data: w });
        initializers.push({ name: `B${i}`, dims: [layer.outputs], data: b });
        nodes.push({ op: "Gemm", inputs: [current, `W${i}`, `B${i}`], outputs: [out], attributes: { transB: 1 } });
        break;
      }
      case "conv2d": {
        const [c, h, wd] = layer.inShape;
        if (rank !== 4) {
          const shaped = `${current}_nchw`;
          initializers.push({ name: `shape${i}`, dims: [4], int64: [1, c, h, wd] });
          nodes.push({ op: "Reshape", inputs: [current, `shape${i}`], outputs: [shaped] });
          current = shaped;
          rank = 4;
        }
        const [kh, kw] = layer.kernel;
        initializers.push({ name: `W${i}`, dims: [layer.outChannels, c, kh, kw], data: w });
        initializers.push({ name: `B${i}`, dims: [layer.outChannels], data: b });
        nodes.push({
          op: "Conv",
          inputs: [current, `W${i}`, `B${i}`],
          outputs: [out],
          attributes: { kernel_shape: [kh, kw], pads: [...layer.pads], strides: [...(layer.strides ?? [1, 1])], dilations: [1, 1], group: 1 },
        });
        break;
      }
      case "relu":
        nodes.push({ op: "Relu", inputs: [current], outputs: [out] });
        break;
      case "sigmoid":
        nodes.push({ op: "Sigmoid", inputs: [current], outputs: [out] });
        break;
      case "tanh":
        nodes.push({ op: "Tanh", inputs: [current], outputs: [out] });
        break;
    }
    current = out;
  });
  if (rank !== m.outputShape.length) throw new OnnxExportError(`${m.name}: graph ends at rank ${rank}, output shape is [${m.outputShape}]`);
  return {
    name: m.name,
    opset: ONNX_OPSET,
    inputs: [{ name: ONNX_INPUT_NAME, shape: m.inputShape, elemType: m.inputElemType }],
    outputs: [{ name: ONNX_OUTPUT_NAME, shape: m.outputShape }],
    initializers,
    nodes,
  };
}

/** ONNX bytes of a trained network (deterministic for identical parameters). */
export function exportOnnx(m: ExportInput): Uint8Array {
  return buildOnnxModel(toOnnxSpec(m));
}
