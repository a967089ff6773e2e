/**
 * The op registry: ONNX op type -> its lowering. Adding an op is one file in this folder exporting an
 * OpLowering, one line here, and its test in test/compiler/ops/.
 */
import type { OpLowering } from "../context.js";
import { activations, clip, prelu } from "./activations.js";
import { arithmetic } from "./arithmetic.js";
import { batchNorm } from "./batchNorm.js";
import { expand, tileOp } from "./broadcast.js";
import { cast } from "./cast.js";
import { concat } from "./concat.js";
import { constant } from "./constant.js";
import { conv, convTransposeOp } from "./conv.js";
import { div } from "./div.js";
import { gather, gatherElements } from "./gather.js";
import { gemm } from "./gemm.js";
import { identity } from "./identity.js";
import { leakyRelu } from "./leakyRelu.js";
import { booleans, compare, where } from "./logic.js";
import { math } from "./math.js";
import { matMul } from "./matmul.js";
import { nonlinear } from "./nonlinear.js";
import { norms } from "./norms.js";
import { pad } from "./pad.js";
import { pool } from "./pool.js";
import { reduce } from "./reduce.js";
import { relu } from "./relu.js";
import { reshape } from "./reshape.js";
import { resize } from "./resize.js";
import { rnn } from "./rnn.js";
import { argMax, topK } from "./select.js";
import { shape } from "./shape.js";
import { slice, split } from "./slice.js";
import { softmax } from "./softmax.js";
import { transpose } from "./transpose.js";
import { variadic } from "./variadic.js";

/** In the order the supported-op list is printed. */
const LOWERINGS: readonly OpLowering[] = [
  gemm, matMul, arithmetic, div, relu, leakyRelu, nonlinear, reshape, identity, constant, conv, pool, batchNorm, softmax,
  shape, gather, concat, cast, transpose,
  reduce, math, norms, activations, prelu, clip, compare, booleans, where, variadic, slice, split, pad, gatherElements,
  expand, tileOp, convTransposeOp, resize, topK, argMax, rnn,
];

export const OP_LOWERINGS: ReadonlyMap<string, OpLowering> = new Map(LOWERINGS.flatMap((l) => l.ops.map((op) => [op, l] as const)));

/** ONNX ops the compiler lowers (others fail with UnsupportedOpError). */
export const SUPPORTED_OPS: readonly string[] = [...OP_LOWERINGS.keys()];
