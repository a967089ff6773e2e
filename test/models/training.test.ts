import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as ort from "onnxruntime-node";
import { readOnnxModel } from "../../compiler/onnx/read.js";
import { datasetFile, samplesFile, jsonText, modelDir, trainingFile } from "../../models/files.js";
import { DEMO_MODEL_NAMES, DEMO_MODEL_SPECS } from "../../models/specs.js";
import { trainDemoModel, type TrainedDemoModel } from "../../models/train-demo.js";
import { FrozenNetwork, trainNetwork, TrainingError } from "../../models/train/network.js";
import { splitIris } from "../../models/data/iris.js";
import { buildLayers, LayerSpecError } from "../../models/train/layers.js";
import { SeededRandom } from "../../models/train/prng.js";

const trained = new Map<string, TrainedDemoModel>();
const get = (name: string): TrainedDemoModel => {
  if (!trained.has(name)) trained.set(name, trainDemoModel(name));
  return trained.get(name)!;
};

describe("demo model training", () => {
  for (const name of DEMO_MODEL_NAMES) {
    describe(name, () => {
      it("is deterministic: training twice gives identical ONNX bytes", () => {
        const again = trainDemoModel(name);
        assert.ok(Buffer.from(again.onnx).equals(Buffer.from(get(name).onnx)));
      });

      it("matches the committed model files byte for byte (the build is reproducible)", () => {
        const m = get(name);
        const dir = modelDir(name);
        assert.ok(Buffer.from(m.onnx).equals(readFileSync(`${dir}/model.onnx`)), "model.onnx differs: rerun models/build-demo-models.ts");
        assert.equal(readFileSync(`${dir}/samples.json`, "utf8"), jsonText(samplesFile(m)));
        assert.equal(readFileSync(`${dir}/dataset.json`, "utf8"), jsonText(datasetFile(m)));
        assert.equal(readFileSync(`${dir}/training.json`, "utf8"), jsonText(trainingFile(m)));
      });

      it(`reaches test accuracy >= ${DEMO_MODEL_SPECS[name].minTestAccuracy} and train accuracy >= 0.9`, () => {
        const m = get(name);
        assert.ok(m.testAccuracy >= m.spec.minTestAccuracy, `test accuracy ${m.testAccuracy}`);
        assert.ok(m.trainAccuracy >= 0.9, `train accuracy ${m.trainAccuracy}`);
      });

      it("stores float32-exact weights", () => {
        for (const group of get(name).params) for (const t of group) for (const v of t) assert.equal(v, Math.fround(v));
      });

      it("runs in onnxruntime-node and matches the TS forward pass within 1e-5 on all 30 test rows", async () => {
        const m = get(name);
        const session = await ort.InferenceSession.create(m.onnx);
        assert.deepEqual(session.inputNames, ["input"]);
        assert.deepEqual(session.outputNames, ["logits"]);
        for (const row of m.split.test) {
          const out = await session.run({ input: new ort.Tensor("float32", Float32Array.from(row.x), m.spec.inputShape) });
          const got = Array.from(out.logits.data as Float32Array);
          const want = m.network.forward(row.x);
          assert.equal(got.length, 3);
          for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `${name} logit ${i}: ort ${got[i]} vs ts ${want[i]}`);
        }
      });

      it("decodes with the compiler's ONNX reader to the expected ops and shapes", () => {
        const m = get(name);
        const g = readOnnxModel(m.onnx);
        assert.deepEqual(g.inputs.map((i) => i.shape), [m.spec.inputShape]);
        assert.deepEqual(g.outputs.map((o) => o.shape), [m.spec.outputShape]);
        const expectedOps: Record<string, string[]> = {
          "iris-mlp": ["Gemm", "Relu", "Gemm"],
          "iris-deep": ["Gemm", "Sigmoid", "Gemm", "Relu", "Gemm"],
          "iris-cnn": ["Reshape", "Conv", "Relu", "Flatten", "Gemm"],
        };
        assert.deepEqual(g.nodes.map((n) => n.op), expectedOps[name]);
      });
    });
  }

  it("changes the weights when the seed changes", () => {
    const spec = DEMO_MODEL_SPECS["iris-mlp"];
    const { train } = splitIris();
    const a = trainNetwork(spec.layers, 4, train, { ...spec.train, epochs: 2 });
    const b = trainNetwork(spec.layers, 4, train, { ...spec.train, epochs: 2, seed: spec.train.seed + 1 });
    assert.notDeepEqual(a.params, b.params);
  });

  it("rejects inconsistent layer stacks, options and parameters", () => {
    const rng = new SeededRandom(1);
    assert.throws(() => buildLayers([{ kind: "dense", inputs: 5, outputs: 3 }], 4, rng), LayerSpecError);
    assert.throws(
      () => buildLayers([{ kind: "conv2d", inShape: [1, 2, 2], outChannels: 2, kernel: [3, 3], pads: [0, 0, 0, 0] }], 4, rng),
      /does not fit/,
    );
    const spec = DEMO_MODEL_SPECS["iris-mlp"];
    assert.throws(() => trainNetwork(spec.layers, 4, [], spec.train), TrainingError);
    assert.throws(() => trainNetwork(spec.layers, 4, [{ x: [0, 0, 0, 0], y: 0 }], { ...spec.train, batchSize: 0 }), /batchSize/);
    assert.throws(() => trainNetwork(spec.layers, 4, [{ x: [0, 0, 0, 0], y: 0 }], { ...spec.train, learningRate: NaN }), /learningRate/);
    assert.throws(() => new FrozenNetwork(spec.layers, 4, [[new Float32Array(32)]]), TrainingError);
    const ok = new FrozenNetwork(spec.layers, 4, get("iris-mlp").params);
    assert.throws(() => ok.forward([1, 2, 3]), /expected 4 inputs, got 3/);
  });
});
