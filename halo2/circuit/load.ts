// loadCircuitDescription: validate a serialised CircuitDescription (e.g. a cached circuit.json) before use.
// Derived parameters are recomputed from the constraint system and must match what the JSON says.
import { FR_MODULUS, FQ_MODULUS, mul, parseHex, pow } from "../field.js";
import { deriveParameters } from "./layout.js";
import type { CircuitDescription, Expr, G1Hex } from "./types.js";

export class CircuitDescriptionError extends Error {
  constructor(message: string) {
    super(`circuit description: ${message}`);
    this.name = "CircuitDescriptionError";
  }
}

const HEX32 = /^0x[0-9a-f]{64}$/;

function fe(v: unknown, modulus: bigint, where: string): void {
  if (typeof v !== "string" || !HEX32.test(v) || parseHex(v) >= modulus) throw new CircuitDescriptionError(`${where} is not a canonical 32-byte hex field element`);
}

function checkPoint(p: G1Hex | null, where: string): void {
  if (p === null) return;
  if (typeof p !== "object") throw new CircuitDescriptionError(`${where} is not a point`);
  fe(p.x, FQ_MODULUS, `${where}.x`);
  fe(p.y, FQ_MODULUS, `${where}.y`);
  const x = parseHex(p.x);
  const y = parseHex(p.y);
  if ((y * y - x * x * x - 3n) % FQ_MODULUS !== 0n) throw new CircuitDescriptionError(`${where} is not on the curve`);
}

function checkExpr(e: Expr, d: CircuitDescription, where: string): void {
  const within = (i: number, n: number, what: string) => {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new CircuitDescriptionError(`${where}: ${what} index ${i} out of range`);
  };
  switch (e?.t) {
    case "const":
      return fe(e.v, FR_MODULUS, where);
    case "scaled":
      fe(e.s, FR_MODULUS, where);
      return checkExpr(e.a, d, where);
    case "fixed":
      return within(e.query, d.cs.fixedQueries.length, "fixed query");
    case "advice":
      return within(e.query, d.cs.adviceQueries.length, "advice query");
    case "instance":
      return within(e.query, d.cs.instanceQueries.length, "instance query");
    case "challenge":
      return within(e.index, d.cs.numChallenges, "challenge");
    case "neg":
      return checkExpr(e.a, d, where);
    case "sum":
    case "prod":
      checkExpr(e.a, d, where);
      return checkExpr(e.b, d, where);
    case "selector":
      throw new CircuitDescriptionError(`${where}: virtual selector in a verifier expression`);
    default:
      throw new CircuitDescriptionError(`${where}: unknown expression`);
  }
}

export function loadCircuitDescription(json: unknown): CircuitDescription {
  const d = (typeof json === "string" ? JSON.parse(json) : json) as CircuitDescription;
  if (!d || d.format !== "twinpath-halo2-circuit/1") throw new CircuitDescriptionError("unknown format");
  if (!Number.isInteger(d.k) || d.k < 1 || d.k > 27 || d.n !== 2 ** d.k) throw new CircuitDescriptionError("bad k / n");
  fe(d.omega, FR_MODULUS, "omega");
  fe(d.omegaInv, FR_MODULUS, "omegaInv");
  fe(d.vkDigest, FR_MODULUS, "vkDigest");
  const omega = parseHex(d.omega);
  if (mul(omega, parseHex(d.omegaInv)) !== 1n || pow(omega, BigInt(d.n)) !== 1n || pow(omega, BigInt(d.n / 2)) === 1n) {
    throw new CircuitDescriptionError("omega is not a primitive n-th root of unity with the given inverse");
  }
  const cs = d.cs;
  if (!cs || !Array.isArray(cs.gates)) throw new CircuitDescriptionError("missing constraint system");
  if (d.fixedCommitments.length !== cs.numFixedColumns) throw new CircuitDescriptionError("fixed commitment count differs from fixed columns");
  if (d.permutationCommitments.length !== cs.permutationColumns.length) throw new CircuitDescriptionError("permutation commitment count differs from permutation columns");
  d.fixedCommitments.forEach((p, i) => checkPoint(p, `fixedCommitments[${i}]`));
  d.permutationCommitments.forEach((p, i) => checkPoint(p, `permutationCommitments[${i}]`));
  const colOk = (c: number, n: number, w: string) => {
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new CircuitDescriptionError(`${w}: column ${c} out of range`);
  };
  cs.adviceQueries.forEach((q, i) => colOk(q.column, cs.numAdviceColumns, `adviceQueries[${i}]`));
  cs.fixedQueries.forEach((q, i) => colOk(q.column, cs.numFixedColumns, `fixedQueries[${i}]`));
  cs.instanceQueries.forEach((q, i) => colOk(q.column, cs.numInstanceColumns, `instanceQueries[${i}]`));
  cs.gates.forEach((g, i) => checkExpr(g, d, `gates[${i}]`));
  cs.lookups.forEach((l, i) => [...l.table, ...l.inputs.flat()].forEach((e) => checkExpr(e, d, `lookups[${i}]`)));
  const derived = deriveParameters(cs);
  if (JSON.stringify(derived) !== JSON.stringify(d.derived)) throw new CircuitDescriptionError("derived parameters do not match the constraint system");
  if (d.instanceCounts !== null && (!Array.isArray(d.instanceCounts) || d.instanceCounts.length !== cs.numInstanceColumns)) {
    throw new CircuitDescriptionError("instanceCounts does not match the instance columns");
  }
  return d;
}
