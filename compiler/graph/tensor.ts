/** Dense float tensors and the float kernels of the ops the compiler supports (reference semantics). */

export interface Tensor {
  dims: number[];
  data: Float64Array;
}

export const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
export const tensor = (dims: number[], data?: ArrayLike<number>): Tensor => ({
  dims: [...dims],
  data: data ? Float64Array.from(data) : new Float64Array(size(dims)),
});

function strides(dims: number[]): number[] {
  const s = new Array(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

export function broadcastShape(a: number[], b: number[], what: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${what}: shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** Broadcast t to the given shape (numpy rules). */
export function expand(t: Tensor, dims: number[]): Tensor {
  const out = tensor(dims);
  const r = dims.length;
  const tdims = [...new Array(r - t.dims.length).fill(1), ...t.dims];
  const ts = strides(tdims);
  const os = strides(dims);
  for (let i = 0; i < out.data.length; i++) {
    let rem = i, off = 0;
    for (let d = 0; d < r; d++) {
      const c = Math.floor(rem / os[d]);
      rem -= c * os[d];
      off += (tdims[d] === 1 ? 0 : c) * ts[d];
    }
    out.data[i] = t.data[off];
  }
  return out;
}

export function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, what: string): Tensor {
  const dims = broadcastShape(a.dims, b.dims, what);
  const A = expand(a, dims), B = expand(b, dims);
  const out = tensor(dims);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(A.data[i], B.data[i]);
  return out;
}

export const map = (a: Tensor, f: (x: number) => number): Tensor => ({ dims: [...a.dims], data: a.data.map(f) });
export const reshape = (a: Tensor, dims: number[]): Tensor => ({ dims: [...dims], data: a.data });

export function transpose2d(a: Tensor): Tensor {
  const [m, n] = a.dims;
  const out = tensor([n, m]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[j * m + i] = a.data[i * n + j];
  return out;
}

/** Generic two-operand einsum ("mk,nk->mn"), nested loops over all indices (small models only). */
export function einsum(eq: string, a: Tensor, b: Tensor): Tensor {
  const [lhs, out] = eq.split("->");
  const [ia, ib] = lhs.split(",");
  const sizes = new Map<string, number>();
  const bind = (s: string, t: Tensor) => {
    if (s.length !== t.dims.length) throw new Error(`einsum ${eq}: operand rank ${t.dims.length} != '${s}'`);
    [...s].forEach((c, i) => {
      const prev = sizes.get(c);
      if (prev !== undefined && prev !== t.dims[i]) throw new Error(`einsum ${eq}: index ${c} has sizes ${prev} and ${t.dims[i]}`);
      sizes.set(c, t.dims[i]);
    });
  };
  bind(ia, a);
  bind(ib, b);
  const letters = [...sizes.keys()];
  const odims = [...out].map((c) => sizes.get(c)!);
  const res = tensor(odims);
  const sa = strides(a.dims), sb = strides(b.dims), so = strides(odims);
  const pos = new Map<string, number>();
  const idxA = [...ia], idxB = [...ib], idxO = [...out];
  const total = letters.reduce((p, c) => p * sizes.get(c)!, 1);
  for (let n = 0; n < total; n++) {
    let rem = n;
    for (let l = letters.length - 1; l >= 0; l--) {
      const s = sizes.get(letters[l])!;
      pos.set(letters[l], rem % s);
      rem = Math.floor(rem / s);
    }
    let oa = 0, ob = 0, oo = 0;
    idxA.forEach((c, i) => (oa += pos.get(c)! * sa[i]));
    idxB.forEach((c, i) => (ob += pos.get(c)! * sb[i]));
    idxO.forEach((c, i) => (oo += pos.get(c)! * so[i]));
    res.data[oo] += a.data[oa] * b.data[ob];
  }
  return res;
}

/** NCHW conv with OIHW kernel, per-axis (before, after) padding, strides and groups. */
export function conv(x: Tensor, w: Tensor, bias: Tensor | undefined, pads: [number, number][], stride: number[], group: number): Tensor {
  const [n, c, h, wd] = x.dims;
  const [o, cg, kh, kw] = w.dims;
  if (c !== cg * group) throw new Error(`Conv: input channels ${c} != kernel channels ${cg} x group ${group}`);
  const oh = Math.floor((h + pads[0][0] + pads[0][1] - kh) / stride[0]) + 1;
  const ow = Math.floor((wd + pads[1][0] + pads[1][1] - kw) / stride[1]) + 1;
  const out = tensor([n, o, oh, ow]);
  const og = o / group;
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++) {
      const g = Math.floor(oc / og);
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = bias ? bias.data[oc] : 0;
          for (let ic = 0; ic < cg; ic++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * stride[0] + i - pads[0][0], ix = xx * stride[1] + j - pads[1][0];
                if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
                acc += x.data[((b * c + g * cg + ic) * h + iy) * wd + ix] * w.data[((oc * cg + ic) * kh + i) * kw + j];
              }
          out.data[((b * o + oc) * oh + y) * ow + xx] = acc;
        }
    }
  return out;
}

/** 2-D pooling over NCHW: "sum" (optionally normalized by the kernel size) or "max"; padding counts as 0. */
export function pool(x: Tensor, kind: "sum" | "max", kernel: number[], pads: [number, number][], stride: number[], normalized: boolean): Tensor {
  const [n, c, h, wd] = x.dims;
  const oh = Math.floor((h + pads[0][0] + pads[0][1] - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((wd + pads[1][0] + pads[1][1] - kernel[1]) / stride[1]) + 1;
  const out = tensor([n, c, oh, ow]);
  for (let b = 0; b < n * c; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let acc = kind === "max" ? -Infinity : 0;
        for (let i = 0; i < kernel[0]; i++)
          for (let j = 0; j < kernel[1]; j++) {
            const iy = y * stride[0] + i - pads[0][0], ix = xx * stride[1] + j - pads[1][0];
            const v = iy < 0 || ix < 0 || iy >= h || ix >= wd ? 0 : x.data[(b * h + iy) * wd + ix];
            acc = kind === "max" ? Math.max(acc, v) : acc + v;
          }
        out.data[(b * oh + y) * ow + xx] = normalized ? acc / (kernel[0] * kernel[1]) : acc;
      }
  return out;
}

export function softmax(x: Tensor, axis: number): Tensor {
  const out = tensor(x.dims);
  const inner = size(x.dims.slice(axis + 1));
  const len = x.dims[axis];
  const outer = size(x.dims.slice(0, axis));
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x.data[(o * len + k) * inner + i]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x.data[(o * len + k) * inner + i] - m);
      for (let k = 0; k < len; k++) out.data[(o * len + k) * inner + i] = Math.exp(x.data[(o * len + k) * inner + i] - m) / s;
    }
  return out;
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** General transpose with a permutation. */
export function transpose(a: Tensor, perm: number[]): Tensor {
  const dims = perm.map((p) => a.dims[p]);
  const out = tensor(dims);
  const sa = strides(a.dims), so = strides(dims);
  for (let i = 0; i < out.data.length; i++) {
    let rem = i, off = 0;
    for (let d = 0; d < dims.length; d++) {
      const c = Math.floor(rem / so[d]);
      rem -= c * so[d];
      off += c * sa[perm[d]];
    }
    out.data[i] = a.data[off];
  }
  return out;
}

/** ONNX Gather along an axis with (possibly negative) integer indices. */
export function gather(a: Tensor, idx: Tensor, axis: number): Tensor {
  if (axis < 0) axis += a.dims.length;
  const outer = size(a.dims.slice(0, axis)), inner = size(a.dims.slice(axis + 1)), len = a.dims[axis];
  const dims = [...a.dims.slice(0, axis), ...idx.dims, ...a.dims.slice(axis + 1)];
  const out = tensor(dims);
  let o = 0;
  for (let i = 0; i < outer; i++)
    for (const raw of idx.data) {
      const j = raw < 0 ? raw + len : raw;
      if (j < 0 || j >= len) throw new Error(`Gather index ${raw} out of range for axis of size ${len}`);
      for (let k = 0; k < inner; k++) out.data[o++] = a.data[(i * len + j) * inner + k];
    }
  return out;
}

/** ONNX Concat along an axis. */
export function concat(ts: Tensor[], axis: number): Tensor {
  if (axis < 0) axis += ts[0].dims.length;
  const dims = [...ts[0].dims];
  dims[axis] = ts.reduce((s, t) => s + t.dims[axis], 0);
  const outer = size(dims.slice(0, axis));
  const out = tensor(dims);
  let o = 0;
  for (let i = 0; i < outer; i++)
    for (const t of ts) {
      const chunk = size(t.dims.slice(axis));
      for (let k = 0; k < chunk; k++) out.data[o++] = t.data[i * chunk + k];
    }
  return out;
}

/** Reduce over `axes` with (init, step, finish); the result keeps the reduced axes as size 1. */
export function reduce(x: Tensor, axes: number[], init: number, step: (acc: number, v: number) => number, finish: (acc: number, n: number) => number = (a) => a): Tensor {
  const outDims = x.dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = tensor(outDims);
  out.data.fill(init);
  const xs = strides(x.dims), os = strides(outDims);
  for (let i = 0; i < x.data.length; i++) {
    let rem = i, o = 0;
    for (let d = 0; d < x.dims.length; d++) {
      const c = Math.floor(rem / xs[d]);
      rem -= c * xs[d];
      if (!axes.includes(d)) o += c * os[d];
    }
    out.data[o] = step(out.data[o], x.data[i]);
  }
  const n = axes.reduce((p, a) => p * x.dims[a], 1);
  for (let i = 0; i < out.data.length; i++) out.data[i] = finish(out.data[i], n);
  return out;
}

/** Elements [start, end) along `axis`, every `step` (positive step). */
export function slice(x: Tensor, axis: number, start: number, end: number, step = 1): Tensor {
  const dims = [...x.dims];
  const n = Math.max(0, Math.ceil((end - start) / step));
  dims[axis] = n;
  const out = tensor(dims);
  const outer = size(x.dims.slice(0, axis)), inner = size(x.dims.slice(axis + 1)), len = x.dims[axis];
  let o = 0;
  for (let a = 0; a < outer; a++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < inner; k++) out.data[o++] = x.data[(a * len + start + j * step) * inner + k];
  return out;
}

/** Zero padding: (before, after) per axis. */
export function pad(x: Tensor, pads: [number, number][], value = 0): Tensor {
  const dims = x.dims.map((d, i) => d + pads[i][0] + pads[i][1]);
  const out = tensor(dims);
  out.data.fill(value);
  const xs = strides(x.dims), os = strides(dims);
  for (let i = 0; i < x.data.length; i++) {
    let rem = i, o = 0;
    for (let d = 0; d < x.dims.length; d++) {
      const c = Math.floor(rem / xs[d]);
      rem -= c * xs[d];
      o += (c + pads[d][0]) * os[d];
    }
    out.data[o] = x.data[i];
  }
  return out;
}

/** ONNX GatherElements along `axis` with integer indices of the output's shape. */
export function gatherElements(x: Tensor, idx: Tensor, axis: number): Tensor {
  const out = tensor(idx.dims);
  const is = strides(idx.dims), xs = strides(x.dims);
  for (let i = 0; i < idx.data.length; i++) {
    let rem = i, off = 0;
    for (let d = 0; d < idx.dims.length; d++) {
      const c = Math.floor(rem / is[d]);
      rem -= c * is[d];
      let k = d === axis ? idx.data[i] : c;
      if (k < 0) k += x.dims[d];
      off += k * xs[d];
    }
    out.data[i] = x.data[off];
  }
  return out;
}

/** Repeat every element `factors[d]` times along each axis (nearest-neighbour upsampling by integer factors). */
export function repeatNearest(x: Tensor, factors: number[]): Tensor {
  const dims = x.dims.map((d, i) => d * factors[i]);
  const out = tensor(dims);
  const xs = strides(x.dims), os = strides(dims);
  for (let i = 0; i < out.data.length; i++) {
    let rem = i, off = 0;
    for (let d = 0; d < dims.length; d++) {
      const c = Math.floor(rem / os[d]);
      rem -= c * os[d];
      off += Math.floor(c / factors[d]) * xs[d];
    }
    out.data[i] = x.data[off];
  }
  return out;
}

/** N-d convolution over [N, C, ...spatial] with an [O, C/g, ...kernel] kernel (1-D and 2-D models use it). */
export function convNd(x: Tensor, w: Tensor, bias: Tensor | undefined, pads: [number, number][], stride: number[], group: number): Tensor {
  if (x.dims.length === 4) return conv(x, w, bias, pads, stride, group);
  if (x.dims.length === 3) {
    const x4 = reshape(x, [x.dims[0], x.dims[1], 1, x.dims[2]]);
    const w4 = reshape(w, [w.dims[0], w.dims[1], 1, w.dims[2]]);
    const y = conv(x4, w4, bias, [[0, 0], pads[0]], [1, stride[0]], group);
    return reshape(y, [y.dims[0], y.dims[1], y.dims[3]]);
  }
  throw new Error(`convolution over ${x.dims.length - 2} spatial dimensions is not supported`);
}

/** Transposed convolution (ONNX ConvTranspose, NCHW / 1-D), kernel [C_in, C_out/g, ...k]. */
export function convTranspose(x: Tensor, w: Tensor, bias: Tensor | undefined, pads: [number, number][], stride: number[], outPad: number[], group: number): Tensor {
  const sp = x.dims.length - 2;
  const [n, cin] = x.dims;
  const coutG = w.dims[1], cinG = cin / group, cout = coutG * group;
  const inS = x.dims.slice(2), k = w.dims.slice(2);
  const outS = inS.map((d, i) => (d - 1) * stride[i] + k[i] - pads[i][0] - pads[i][1] + outPad[i]);
  const out = tensor([n, cout, ...outS]);
  const oStr = strides(outS), iStr = strides(inS), kStr = strides(k);
  const inSize = size(inS), kSize = size(k), outSize = size(outS);
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < cin; ci++) {
      const g = Math.floor(ci / cinG);
      for (let p = 0; p < inSize; p++) {
        const v = x.data[(b * cin + ci) * inSize + p];
        if (v === 0) continue;
        const ip = [];
        let rem = p;
        for (let d = 0; d < sp; d++) { ip.push(Math.floor(rem / iStr[d])); rem %= iStr[d]; }
        for (let q = 0; q < kSize; q++) {
          let r2 = q, off = 0, ok = true;
          for (let d = 0; d < sp; d++) {
            const kk = Math.floor(r2 / kStr[d]);
            r2 %= kStr[d];
            const o = ip[d] * stride[d] + kk - pads[d][0];
            if (o < 0 || o >= outS[d]) { ok = false; break; }
            off += o * oStr[d];
          }
          if (!ok) continue;
          for (let co = 0; co < coutG; co++)
            out.data[(b * cout + g * coutG + co) * outSize + off] += v * w.data[(ci * coutG + co) * kSize + q];
        }
      }
    }
  if (bias) for (let b = 0; b < n; b++) for (let c = 0; c < cout; c++) for (let p = 0; p < outSize; p++) out.data[(b * cout + c) * outSize + p] += bias.data[c];
  return out;
}

/** The k largest (or smallest) values along `axis`, sorted. */
export function topk(x: Tensor, k: number, axis: number, largest: boolean): Tensor {
  const dims = [...x.dims];
  const len = dims[axis];
  dims[axis] = k;
  const out = tensor(dims);
  const outer = size(x.dims.slice(0, axis)), inner = size(x.dims.slice(axis + 1));
  for (let a = 0; a < outer; a++)
    for (let c = 0; c < inner; c++) {
      const vals = Array.from({ length: len }, (_, j) => x.data[(a * len + j) * inner + c]).sort((p, q) => (largest ? q - p : p - q));
      for (let j = 0; j < k; j++) out.data[(a * k + j) * inner + c] = vals[j];
    }
  return out;
}

/** Index of the first maximum (or minimum) along `axis` (kept as size 1). */
export function argExtreme(x: Tensor, axis: number, max: boolean): Tensor {
  const dims = x.dims.map((d, i) => (i === axis ? 1 : d));
  const out = tensor(dims);
  const len = x.dims[axis], outer = size(x.dims.slice(0, axis)), inner = size(x.dims.slice(axis + 1));
  for (let a = 0; a < outer; a++)
    for (let c = 0; c < inner; c++) {
      let best = 0;
      for (let j = 1; j < len; j++) {
        const v = x.data[(a * len + j) * inner + c], b = x.data[(a * len + best) * inner + c];
        if (max ? v > b : v < b) best = j;
      }
      out.data[a * inner + c] = best;
    }
  return out;
}

/** Einsum over any number of operands with the same index conventions (used for batched MatMul with broadcasting). */
export function matmulBroadcast(a: Tensor, b: Tensor): Tensor {
  const ra = a.dims.length, rb = b.dims.length;
  const batchA = a.dims.slice(0, ra - 2), batchB = b.dims.slice(0, rb - 2);
  const batch = broadcastShape(batchA, batchB, "MatMul");
  const [m, k] = a.dims.slice(-2), [k2, n] = b.dims.slice(-2);
  if (k !== k2) throw new Error(`MatMul inner sizes ${k} and ${k2} differ`);
  const A = expand(a, [...batch, m, k]), B = expand(b, [...batch, k, n]);
  const nb = size(batch);
  const out = tensor([...batch, m, n]);
  for (let t = 0; t < nb; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += A.data[(t * m + i) * k + q] * B.data[(t * k + q) * n + j];
        out.data[(t * m + i) * n + j] = s;
      }
  return out;
}
