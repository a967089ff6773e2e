import { quantize } from "../../scripts/lib/quantize.js";

/** Float input row -> fixed-point ints at the model's input scale (the project's quantize: half away from zero). */
export const quantizeInput = (row: readonly number[], scale: number): bigint[] => quantize(row, scale);
