/**
 * Training (softmax cross-entropy + Adam, seeded mini-batches) and float32 inference for the tiny
 * layer stacks in layers.ts. Everything is deterministic: the only randomness is the seeded PRNG.
 */
import { buildLayers, type Layer, type LayerSpec } from "./layers.js";
import { SeededRandom } from "./prng.js";

export interface Sample {
  x: number[];
  y: number;
}

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on weights (not biases); keeps weights and activations small, which suits fixed point. */
  weightDecay: number;
}

export interface TrainResult {
  /** Per layer, its parameter tensors rounded to float32 (weights first, then bias). */
  params: Float32Array[][];
  /** Mean cross-entropy on the training set in the last epoch (float64 weights). */
  finalLoss: number;
}

export class TrainingError extends Error {
  override name = "TrainingError";
}

function softmaxCrossEntropy(logits: Float64Array, label: number): { loss: number; grad: Float64Array } {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const exps = logits.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of exps) sum += v;
  const grad = exps.map((v) => v / sum);
  const loss = -Math.log(grad[label]);
  grad[label] -= 1;
  return { loss, grad };
}

/** Train a fresh network from `layers` on `train`; returns float32-rounded parameters. */
export function trainNetwork(layers: readonly LayerSpec[], inputSize: number, train: readonly Sample[], opts: TrainOptions): TrainResult {
  if (train.length === 0) throw new TrainingError("trainNetwork: empty training set");
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new TrainingError(`trainNetwork: option ${k} must be a finite number >= 0, got ${v}`);
  }
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new TrainingError(`trainNetwork: batchSize must be a positive integer, got ${opts.batchSize}`);
  const rng = new SeededRandom(opts.seed);
  const net = buildLayers(layers, inputSize, rng);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  const m = net.map((l) => l.params.map((p) => new Float64Array(p.length)));
  const v = net.map((l) => l.params.map((p) => new Float64Array(p.length)));
  let step = 0;
  let epochLoss = 0;
  const order = train.map((_, i) => i);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    rng.shuffle(order);
    epochLoss = 0;
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      for (const l of net) for (const g of l.grads) g.fill(0);
      for (const idx of batch) {
        const s = train[idx];
        let a: Float64Array = Float64Array.from(s.x);
        for (const l of net) a = l.forward(a);
        const { loss, grad } = softmaxCrossEntropy(a, s.y);
        epochLoss += loss;
        let g = grad;
        for (let li = net.length - 1; li >= 0; li--) g = net[li].backward(g);
      }
      step++;
      const lrT = (opts.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      net.forEach((l, li) =>
        l.params.forEach((p, pi) => {
          const g = l.grads[pi];
          const isWeight = pi === 0;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] / batch.length + (isWeight ? opts.weightDecay * p[i] : 0);
            m[li][pi][i] = beta1 * m[li][pi][i] + (1 - beta1) * gi;
            v[li][pi][i] = beta2 * v[li][pi][i] + (1 - beta2) * gi * gi;
            p[i] -= (lrT * m[li][pi][i]) / (Math.sqrt(v[li][pi][i]) + eps);
          }
        }),
      );
    }
    epochLoss /= train.length;
    if (!Number.isFinite(epochLoss)) throw new TrainingError(`trainNetwork: loss diverged at epoch ${epoch}`);
  }
  return { params: net.map((l) => l.params.map((p) => Float32Array.from(p))), finalLoss: epochLoss };
}

/** A network with fixed float32 parameters, for inference (the reference "TS forward pass"). */
export class FrozenNetwork {
  private readonly net: Layer[];

  constructor(readonly layers: readonly LayerSpec[], readonly inputSize: number, params: readonly Float32Array[][]) {
    // The PRNG only fills the initial weights, which are overwritten right away.
    this.net = buildLayers(layers, inputSize, new SeededRandom(0));
    if (params.length !== this.net.length) throw new TrainingError(`FrozenNetwork: ${params.length} parameter groups for ${this.net.length} layers`);
    this.net.forEach((l, li) => {
      if (params[li].length !== l.params.length) throw new TrainingError(`FrozenNetwork: layer ${li} needs ${l.params.length} tensors, got ${params[li].length}`);
      l.params.forEach((p, pi) => {
        if (params[li][pi].length !== p.length) throw new TrainingError(`FrozenNetwork: layer ${li} tensor ${pi} needs ${p.length} values, got ${params[li][pi].length}`);
        p.set(params[li][pi]);
      });
    });
  }

  /** Output of every layer for one input (the last entry is the logits). */
  trace(x: readonly number[]): Float64Array[] {
    if (x.length !== this.inputSize) throw new TrainingError(`FrozenNetwork: expected ${this.inputSize} inputs, got ${x.length}`);
    const outs: Float64Array[] = [];
    let a: Float64Array = Float64Array.from(x, Math.fround);
    for (const l of this.net) {
      a = l.forward(a);
      outs.push(a);
    }
    return outs;
  }

  /** Logits for one input. */
  forward(x: readonly number[]): number[] {
    const outs = this.trace(x);
    return Array.from(outs[outs.length - 1]);
  }

  /** Index of the largest logit. */
  predict(x: readonly number[]): number {
    const logits = this.forward(x);
    return logits.indexOf(Math.max(...logits));
  }

  /** Fraction of rows classified correctly. */
  accuracy(rows: readonly Sample[]): number {
    if (rows.length === 0) throw new TrainingError("accuracy: no rows");
    let ok = 0;
    for (const r of rows) if (this.predict(r.x) === r.y) ok++;
    return ok / rows.length;
  }
}
