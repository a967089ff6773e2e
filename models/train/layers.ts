/**
 * Minimal layers for training tiny classifiers in plain TypeScript: forward for one sample,
 * backward that accumulates parameter gradients. Activations are flat Float64Arrays (NCHW order for
 * conv layers, batch dimension implicit), which is also the memory order ONNX uses.
 */
import { SeededRandom } from "./prng.js";

export type LayerSpec =
  | { kind: "dense"; inputs: number; outputs: number }
  | { kind: "relu" }
  | { kind: "sigmoid" }
  | { kind: "tanh" }
  | {
      kind: "conv2d";
      /** Input [channels, height, width]. */
      inShape: [number, number, number];
      outChannels: number;
      kernel: [number, number];
      /** [top, left, bottom, right], like ONNX `pads`. */
      pads: [number, number, number, number];
      /** [vertical, horizontal] strides (default 1, 1). */
      strides?: [number, number];
    };

export class LayerSpecError extends Error {
  override name = "LayerSpecError";
}

export interface Layer {
  readonly spec: LayerSpec;
  /** Trainable tensors (empty for activations); updated in place by the optimiser. */
  readonly params: Float64Array[];
  /** Gradients, same shapes as params, accumulated by `backward`. */
  readonly grads: Float64Array[];
  readonly inSize: number;
  readonly outSize: number;
  forward(x: Float64Array): Float64Array;
  /** Gradient w.r.t. the last `forward` input, given the gradient w.r.t. its output. */
  backward(dy: Float64Array): Float64Array;
}

/** Dense layer y = W x + b with W stored [outputs, inputs] (ONNX Gemm with transB = 1). */
class Dense implements Layer {
  readonly params: Float64Array[];
  readonly grads: Float64Array[];
  readonly inSize: number;
  readonly outSize: number;
  private x: Float64Array = new Float64Array(0);

  constructor(readonly spec: Extract<LayerSpec, { kind: "dense" }>, rng: SeededRandom, gain: number) {
    this.inSize = spec.inputs;
    this.outSize = spec.outputs;
    const w = new Float64Array(spec.outputs * spec.inputs);
    // Glorot-uniform init scaled by the activation gain.
    const limit = gain * Math.sqrt(6 / (spec.inputs + spec.outputs));
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-limit, limit);
    this.params = [w, new Float64Array(spec.outputs)];
    this.grads = [new Float64Array(w.length), new Float64Array(spec.outputs)];
  }

  forward(x: Float64Array): Float64Array {
    this.x = x;
    const [w, b] = this.params;
    const y = new Float64Array(this.outSize);
    for (let o = 0; o < this.outSize; o++) {
      let acc = b[o];
      for (let i = 0; i < this.inSize; i++) acc += w[o * this.inSize + i] * x[i];
      y[o] = acc;
    }
    return y;
  }

  backward(dy: Float64Array): Float64Array {
    const [w] = this.params;
    const [gw, gb] = this.grads;
    const dx = new Float64Array(this.inSize);
    for (let o = 0; o < this.outSize; o++) {
      gb[o] += dy[o];
      for (let i = 0; i < this.inSize; i++) {
        gw[o * this.inSize + i] += dy[o] * this.x[i];
        dx[i] += dy[o] * w[o * this.inSize + i];
      }
    }
    return dx;
  }
}

/** 2-D convolution (optional strides), NCHW input, weights [outC, inC, kH, kW] (ONNX Conv layout). */
class Conv2d implements Layer {
  readonly params: Float64Array[];
  readonly grads: Float64Array[];
  readonly inSize: number;
  readonly outSize: number;
  readonly outShape: [number, number, number];
  private x: Float64Array = new Float64Array(0);

  constructor(readonly spec: Extract<LayerSpec, { kind: "conv2d" }>, rng: SeededRandom, gain: number) {
    const [c, h, w] = spec.inShape;
    const [kh, kw] = spec.kernel;
    const [pt, pl, pb, pr] = spec.pads;
    const [sh, sw] = spec.strides ?? [1, 1];
    const oh = Math.floor((h + pt + pb - kh) / sh) + 1;
    const ow = Math.floor((w + pl + pr - kw) / sw) + 1;
    if (oh < 1 || ow < 1) throw new LayerSpecError(`conv2d: kernel ${kh}x${kw} does not fit input ${h}x${w} with pads ${spec.pads}`);
    this.outShape = [spec.outChannels, oh, ow];
    this.inSize = c * h * w;
    this.outSize = spec.outChannels * oh * ow;
    const fanIn = c * kh * kw;
    const fanOut = spec.outChannels * kh * kw;
    const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
    const weights = new Float64Array(spec.outChannels * fanIn);
    for (let i = 0; i < weights.length; i++) weights[i] = rng.uniform(-limit, limit);
    this.params = [weights, new Float64Array(spec.outChannels)];
    this.grads = [new Float64Array(weights.length), new Float64Array(spec.outChannels)];
  }

  /** Calls fn(outIndex, inIndex, weightIndex) for every multiply of the convolution. */
  private eachTap(fn: (o: number, i: number, k: number) => void): void {
    const [c, h, w] = this.spec.inShape;
    const [kh, kw] = this.spec.kernel;
    const [pt, pl] = this.spec.pads;
    const [sh, sw] = this.spec.strides ?? [1, 1];
    const [oc, oh, ow] = this.outShape;
    for (let m = 0; m < oc; m++)
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++)
          for (let ci = 0; ci < c; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = y * sh + ky - pt;
                const ix = x * sw + kx - pl;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                fn((m * oh + y) * ow + x, (ci * h + iy) * w + ix, ((m * c + ci) * kh + ky) * kw + kx);
              }
  }

  forward(x: Float64Array): Float64Array {
    this.x = x;
    const [weights, bias] = this.params;
    const [, oh, ow] = this.outShape;
    const y = new Float64Array(this.outSize);
    for (let o = 0; o < y.length; o++) y[o] = bias[Math.floor(o / (oh * ow))];
    this.eachTap((o, i, k) => {
      y[o] += weights[k] * x[i];
    });
    return y;
  }

  backward(dy: Float64Array): Float64Array {
    const [weights] = this.params;
    const [gw, gb] = this.grads;
    const [, oh, ow] = this.outShape;
    for (let o = 0; o < dy.length; o++) gb[Math.floor(o / (oh * ow))] += dy[o];
    const dx = new Float64Array(this.inSize);
    this.eachTap((o, i, k) => {
      gw[k] += dy[o] * this.x[i];
      dx[i] += dy[o] * weights[k];
    });
    return dx;
  }
}

/** Element-wise activation; derivative expressed from input x and output y. */
class Activation implements Layer {
  readonly params: Float64Array[] = [];
  readonly grads: Float64Array[] = [];
  private x: Float64Array = new Float64Array(0);
  private y: Float64Array = new Float64Array(0);

  constructor(
    readonly spec: LayerSpec,
    readonly inSize: number,
    private readonly f: (x: number) => number,
    private readonly df: (x: number, y: number) => number,
  ) {}

  get outSize(): number {
    return this.inSize;
  }

  forward(x: Float64Array): Float64Array {
    this.x = x;
    this.y = x.map(this.f);
    return this.y;
  }

  backward(dy: Float64Array): Float64Array {
    return dy.map((g, i) => g * this.df(this.x[i], this.y[i]));
  }
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Build layers from specs, checking that each layer's input size matches the previous output. */
export function buildLayers(specs: readonly LayerSpec[], inputSize: number, rng: SeededRandom): Layer[] {
  const layers: Layer[] = [];
  let size = inputSize;
  specs.forEach((spec, idx) => {
    // The gain depends on the activation that follows the weighted layer.
    const next = specs[idx + 1]?.kind;
    const gain = next === "relu" ? Math.SQRT2 : 1;
    let layer: Layer;
    switch (spec.kind) {
      case "dense":
        if (spec.inputs !== size) throw new LayerSpecError(`layer ${idx} (dense) expects ${spec.inputs} inputs, previous layer gives ${size}`);
        layer = new Dense(spec, rng, gain);
        break;
      case "conv2d": {
        const [c, h, w] = spec.inShape;
        if (c * h * w !== size) throw new LayerSpecError(`layer ${idx} (conv2d) expects ${c * h * w} inputs, previous layer gives ${size}`);
        layer = new Conv2d(spec, rng, gain);
        break;
      }
      case "relu":
        layer = new Activation(spec, size, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
        break;
      case "sigmoid":
        layer = new Activation(spec, size, sigmoid, (_x, y) => y * (1 - y));
        break;
      case "tanh":
        layer = new Activation(spec, size, Math.tanh, (_x, y) => 1 - y * y);
        break;
    }
    layers.push(layer);
    size = layer.outSize;
  });
  return layers;
}

/** Output shape [C, H, W] of a conv2d spec (stride 1). */
export function conv2dOutShape(spec: Extract<LayerSpec, { kind: "conv2d" }>): [number, number, number] {
  const [, h, w] = spec.inShape;
  const [kh, kw] = spec.kernel;
  const [pt, pl, pb, pr] = spec.pads;
  const [sh, sw] = spec.strides ?? [1, 1];
  return [spec.outChannels, Math.floor((h + pt + pb - kh) / sh) + 1, Math.floor((w + pl + pr - kw) / sw) + 1];
}
