/**
 * The UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin, C. Kaynak, 1998; UCI
 * Machine Learning Repository, CC BY 4.0, https://doi.org/10.24432/C50P49), as scikit-learn ships it
 * (copied from Debian's python3-sklearn: sklearn/datasets/data/digits.csv.gz): 1,797 images of 8x8
 * pixels, each an integer 0..16 (on-pixels of a 4x4 block of a 32x32 bitmap), and the digit 0..9.
 * This module loads it and splits it deterministically (stratified, seeded).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { SeededRandom } from "../train/prng.js";

export const DIGITS_FILE = join(dirname(fileURLToPath(import.meta.url)), "digits.csv.gz");
export const DIGITS_ROWS = 1797;
export const DIGITS_SOURCE =
  "UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak 1998, CC BY 4.0, doi:10.24432/C50P49), " +
  "the 1,797-image copy shipped by scikit-learn (Debian python3-sklearn, digits.csv.gz)";

export class DigitsDataError extends Error {
  override name = "DigitsDataError";
}

export interface Digit {
  /** 64 pixels, row-major, integers 0..16 */
  x: number[];
  /** the digit 0..9 */
  y: number;
}

/** All 1,797 rows in file order, checked. */
export function loadDigits(file = DIGITS_FILE): Digit[] {
  const lines = gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n");
  if (lines.length !== DIGITS_ROWS) throw new DigitsDataError(`${file}: expected ${DIGITS_ROWS} rows, got ${lines.length}`);
  return lines.map((line, i) => {
    const v = line.split(",").map(Number);
    if (v.length !== 65 || v.some((n) => !Number.isInteger(n)) || v.slice(0, 64).some((p) => p < 0 || p > 16) || v[64] < 0 || v[64] > 9)
      throw new DigitsDataError(`${file}: row ${i} is not 64 pixels in 0..16 and a digit`);
    return { x: v.slice(0, 64), y: v[64] };
  });
}

export interface DigitsSplit {
  seed: number;
  train: Digit[];
  test: Digit[];
}

/** Stratified seeded split: `testShare` of each digit's rows held back for testing. */
export function splitDigits(seed = 11, testShare = 0.2): DigitsSplit {
  const rows = loadDigits();
  const rng = new SeededRandom(seed);
  const train: Digit[] = [], test: Digit[] = [];
  for (let d = 0; d <= 9; d++) {
    const of = rng.shuffle(rows.filter((r) => r.y === d));
    const k = Math.round(of.length * testShare);
    test.push(...of.slice(0, k));
    train.push(...of.slice(k));
  }
  return { seed, train: rng.shuffle(train), test: rng.shuffle(test) };
}
