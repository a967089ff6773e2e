// Worker: multiplies the BN254 G1 generator by each scalar and returns raw Montgomery-LE affine points.
import { parentPort, workerData } from "node:worker_threads";
import { bn254 } from "@noble/curves/bn254.js";

const FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = (1n << 256n) % FQ;
function putLe(buf, off, v) {
  for (let i = 0; i < 32; i++) { buf[off + i] = Number(v & 0xffn); v >>= 8n; }
}
const scalars = workerData.scalars.map((s) => BigInt(s));
const pts = scalars.map((s) => (s === 0n ? bn254.G1.Point.ZERO : bn254.G1.Point.BASE.multiply(s)));
const out = new Uint8Array(pts.length * 64);
pts.forEach((p, i) => {
  const a = p.is0() ? { x: 0n, y: 0n } : p.toAffine();
  putLe(out, i * 64, (a.x * R) % FQ);
  putLe(out, i * 64 + 32, (a.y * R) % FQ);
});
parentPort.postMessage(out, [out.buffer]);
