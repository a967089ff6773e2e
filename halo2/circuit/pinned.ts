// Turns the parsed `PinnedVerificationKey { .. }` Debug tree into the typed constraint system.
import { parseRustDebug, type DebugNode } from "./rust-debug.js";
import type { ColumnQuery, ColumnRef, ColumnType, ConstraintSystem, Expr, G1Hex, MvLookup, PinnedVerifyingKey, Shuffle } from "./types.js";

export class PinnedKeyError extends Error {
  constructor(message: string) {
    super(`pinned verifying key: ${message}`);
    this.name = "PinnedKeyError";
  }
}

function fail(msg: string): never {
  throw new PinnedKeyError(msg);
}

function struct(n: DebugNode, name: string, where: string): Record<string, DebugNode> {
  if (n.kind !== "struct" || n.name !== name) fail(`${where}: expected struct ${name}, got ${describe(n)}`);
  return n.fields;
}

function field(fields: Record<string, DebugNode>, key: string, where: string): DebugNode {
  const v = fields[key];
  if (v === undefined) fail(`${where}: missing field ${key}`);
  return v;
}

function describe(n: DebugNode): string {
  return n.kind === "struct" || n.kind === "tupleStruct" || n.kind === "ident" ? `${n.kind} ${n.name}` : n.kind;
}

function int(n: DebugNode, where: string): number {
  if (n.kind !== "int") fail(`${where}: expected integer, got ${describe(n)}`);
  const v = Number(n.value);
  if (!Number.isSafeInteger(v)) fail(`${where}: integer out of range`);
  return v;
}

function hex(n: DebugNode, where: string): string {
  if (n.kind !== "hex") fail(`${where}: expected hex field element, got ${describe(n)}`);
  const digits = n.value.slice(2);
  if (digits.length > 64) fail(`${where}: field element longer than 32 bytes`);
  return "0x" + digits.padStart(64, "0");
}

function str(n: DebugNode, where: string): string {
  if (n.kind !== "string") fail(`${where}: expected string, got ${describe(n)}`);
  return n.value;
}

function list(n: DebugNode, where: string): DebugNode[] {
  if (n.kind !== "list") fail(`${where}: expected list, got ${describe(n)}`);
  return n.items;
}

function rotation(n: DebugNode, where: string): number {
  if (n.kind !== "tupleStruct" || n.name !== "Rotation" || n.items.length !== 1) fail(`${where}: expected Rotation(i)`);
  return int(n.items[0], where);
}

/** `Phase(1)` or a bare integer; absent means phase 0. */
function phase(n: DebugNode | undefined, where: string): number {
  if (n === undefined) return 0;
  if (n.kind === "tupleStruct" && n.name === "Phase" && n.items.length === 1) return int(n.items[0], where);
  return int(n, where);
}

function columnType(n: DebugNode, where: string): { type: ColumnType; phase: number } {
  if (n.kind === "ident") {
    if (n.name === "Advice") return { type: "advice", phase: 0 };
    if (n.name === "Fixed") return { type: "fixed", phase: 0 };
    if (n.name === "Instance") return { type: "instance", phase: 0 };
  }
  if (n.kind === "struct" && n.name === "Advice") return { type: "advice", phase: phase(n.fields.phase, where) };
  return fail(`${where}: unknown column type ${describe(n)}`);
}

function column(n: DebugNode, where: string): ColumnRef {
  const f = struct(n, "Column", where);
  return { index: int(field(f, "index", where), where), type: columnType(field(f, "column_type", where), where).type };
}

function queryList(n: DebugNode, expected: ColumnType, where: string): ColumnQuery[] {
  return list(n, where).map((q, i) => {
    const w = `${where}[${i}]`;
    if (q.kind !== "tuple" || q.items.length !== 2) fail(`${w}: expected (Column, Rotation)`);
    const c = column(q.items[0], w);
    if (c.type !== expected) fail(`${w}: expected a ${expected} column`);
    return { column: c.index, rotation: rotation(q.items[1], w) };
  });
}

function queryIndex(f: Record<string, DebugNode>, where: string): number {
  const q = field(f, "query_index", where);
  if (q.kind === "ident" && q.name === "None") fail(`${where}: query without index`);
  return int(q, where);
}

export function toExpr(n: DebugNode, where = "expression"): Expr {
  if (n.kind === "struct") {
    const f = n.fields;
    const base = () => ({ query: queryIndex(f, where), column: int(field(f, "column_index", where), where), rotation: rotation(field(f, "rotation", where), where) });
    if (n.name === "Fixed") return { t: "fixed", ...base() };
    if (n.name === "Instance") return { t: "instance", ...base() };
    if (n.name === "Advice") return { t: "advice", ...base(), phase: phase(f.phase, where) };
    fail(`${where}: unknown expression struct ${n.name}`);
  }
  if (n.kind === "tupleStruct") {
    const it = n.items;
    const arity = (k: number) => {
      if (it.length !== k) fail(`${where}: ${n.name} expects ${k} items`);
    };
    switch (n.name) {
      case "Constant":
        arity(1);
        return { t: "const", v: hex(it[0], where) };
      case "Negated":
        arity(1);
        return { t: "neg", a: toExpr(it[0], where) };
      case "Sum":
        arity(2);
        return { t: "sum", a: toExpr(it[0], where), b: toExpr(it[1], where) };
      case "Product":
        arity(2);
        return { t: "prod", a: toExpr(it[0], where), b: toExpr(it[1], where) };
      case "Scaled":
        arity(2);
        return { t: "scaled", a: toExpr(it[0], where), s: hex(it[1], where) };
      case "Selector": {
        arity(1);
        const s = it[0];
        if (s.kind !== "tupleStruct" || s.name !== "Selector" || s.items.length !== 2 || s.items[1].kind !== "ident") fail(`${where}: bad Selector`);
        return { t: "selector", index: int(s.items[0], where), simple: (s.items[1] as { name: string }).name === "true" };
      }
      case "Challenge": {
        arity(1);
        const c = struct(it[0], "Challenge", where);
        return { t: "challenge", index: int(field(c, "index", where), where), phase: phase(c.phase, where) };
      }
    }
  }
  return fail(`${where}: unknown expression ${describe(n)}`);
}

function point(n: DebugNode, where: string): G1Hex | null {
  if (n.kind === "ident" && n.name === "Infinity") return null;
  if (n.kind !== "tuple" || n.items.length !== 2) fail(`${where}: expected (x, y) or Infinity`);
  return { x: hex(n.items[0], where), y: hex(n.items[1], where) };
}

function lookup(n: DebugNode, where: string): MvLookup {
  const f = struct(n, "Argument", where);
  const table = list(field(f, "table_expressions", where), where).map((e, i) => toExpr(e, `${where}.table[${i}]`));
  const inputs = list(field(f, "inputs_expressions", where), where).map((set, s) =>
    list(set, where).map((e, i) => toExpr(e, `${where}.inputs[${s}][${i}]`)),
  );
  for (const set of inputs) if (set.length !== table.length) fail(`${where}: input set length differs from table length`);
  return { table, inputs };
}

function shuffle(n: DebugNode, where: string): Shuffle {
  if (n.kind !== "struct") fail(`${where}: expected shuffle Argument`);
  const f = n.fields;
  return {
    inputs: list(field(f, "input_expressions", where), where).map((e) => toExpr(e, where)),
    shuffles: list(field(f, "shuffle_expressions", where), where).map((e) => toExpr(e, where)),
  };
}

function constraintSystem(n: DebugNode): ConstraintSystem {
  const w = "cs";
  const f = struct(n, "PinnedConstraintSystem", w);
  const numAdviceColumns = int(field(f, "num_advice_columns", w), "num_advice_columns");
  const numChallenges = f.num_challenges ? int(f.num_challenges, "num_challenges") : 0;
  const adviceColumnPhase = f.advice_column_phase
    ? list(f.advice_column_phase, "advice_column_phase").map((p) => phase(p, "advice_column_phase"))
    : new Array<number>(numAdviceColumns).fill(0);
  const challengePhase = f.challenge_phase ? list(f.challenge_phase, "challenge_phase").map((p) => phase(p, "challenge_phase")) : [];
  const perm = struct(field(f, "permutation", w), "Argument", "cs.permutation");
  const minDeg = field(f, "minimum_degree", w);
  let minimumDegree: number | null = null;
  if (minDeg.kind === "tupleStruct" && minDeg.name === "Some") minimumDegree = int(minDeg.items[0], "minimum_degree");
  else if (!(minDeg.kind === "ident" && minDeg.name === "None")) fail("minimum_degree: expected None or Some(n)");
  return {
    numFixedColumns: int(field(f, "num_fixed_columns", w), "num_fixed_columns"),
    numAdviceColumns,
    numInstanceColumns: int(field(f, "num_instance_columns", w), "num_instance_columns"),
    numSelectors: int(field(f, "num_selectors", w), "num_selectors"),
    numChallenges,
    adviceColumnPhase,
    challengePhase,
    gates: list(field(f, "gates", w), "gates").map((g, i) => toExpr(g, `gates[${i}]`)),
    adviceQueries: queryList(field(f, "advice_queries", w), "advice", "advice_queries"),
    instanceQueries: queryList(field(f, "instance_queries", w), "instance", "instance_queries"),
    fixedQueries: queryList(field(f, "fixed_queries", w), "fixed", "fixed_queries"),
    permutationColumns: list(field(perm, "columns", "cs.permutation"), "cs.permutation.columns").map((c, i) => column(c, `permutation.columns[${i}]`)),
    lookups: list(field(f, "lookups", w), "lookups").map((l, i) => lookup(l, `lookups[${i}]`)),
    shuffles: f.shuffles ? list(f.shuffles, "shuffles").map((s, i) => shuffle(s, `shuffles[${i}]`)) : [],
    constants: list(field(f, "constants", w), "constants").map((c, i) => {
      const col = column(c, `constants[${i}]`);
      if (col.type !== "fixed") fail(`constants[${i}]: expected a fixed column`);
      return col.index;
    }),
    minimumDegree,
  };
}

export function parsePinnedVerifyingKey(text: string): PinnedVerifyingKey {
  const root = parseRustDebug(text);
  const f = struct(root, "PinnedVerificationKey", "root");
  const domain = struct(field(f, "domain", "root"), "PinnedEvaluationDomain", "domain");
  const permVk = struct(field(f, "permutation", "root"), "VerifyingKey", "permutation");
  return {
    baseModulus: str(field(f, "base_modulus", "root"), "base_modulus"),
    scalarModulus: str(field(f, "scalar_modulus", "root"), "scalar_modulus"),
    k: int(field(domain, "k", "domain"), "domain.k"),
    extendedK: int(field(domain, "extended_k", "domain"), "domain.extended_k"),
    omega: hex(field(domain, "omega", "domain"), "domain.omega"),
    cs: constraintSystem(field(f, "cs", "root")),
    fixedCommitments: list(field(f, "fixed_commitments", "root"), "fixed_commitments").map((p, i) => point(p, `fixed_commitments[${i}]`)),
    permutationCommitments: list(field(permVk, "commitments", "permutation"), "permutation.commitments").map((p, i) =>
      point(p, `permutation.commitments[${i}]`),
    ),
  };
}
