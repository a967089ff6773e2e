// Parser for Rust `{:?}` (Debug) text: structs, tuple structs, unit idents, tuples, lists, maps, strings, numbers, hex.
// It builds a generic tree; pinned.ts turns that tree into the typed constraint system.

export type DebugNode =
  | { kind: "struct"; name: string; fields: Record<string, DebugNode>; order: string[] }
  | { kind: "tupleStruct"; name: string; items: DebugNode[] }
  | { kind: "ident"; name: string }
  | { kind: "tuple"; items: DebugNode[] }
  | { kind: "list"; items: DebugNode[] }
  | { kind: "map"; entries: [DebugNode, DebugNode][] }
  | { kind: "string"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "hex"; value: string };

export class RustDebugParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`Rust Debug text: ${message} at offset ${offset}`);
    this.name = "RustDebugParseError";
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Parses one complete Debug value; trailing non-space text is an error. */
export function parseRustDebug(text: string): DebugNode {
  let pos = 0;

  const fail = (msg: string): never => {
    throw new RustDebugParseError(msg, pos);
  };
  const skipSpace = () => {
    while (pos < text.length && (text[pos] === " " || text[pos] === "\n" || text[pos] === "\t" || text[pos] === "\r")) pos++;
  };
  const expect = (s: string) => {
    skipSpace();
    if (!text.startsWith(s, pos)) fail(`expected ${JSON.stringify(s)}, found ${JSON.stringify(text.slice(pos, pos + 20))}`);
    pos += s.length;
  };
  const peek = (): string => {
    skipSpace();
    return text[pos] ?? "";
  };

  // Comma-separated items until `close`; Debug output has no trailing comma in single-line mode.
  const sequence = <T>(close: string, item: () => T): T[] => {
    const out: T[] = [];
    if (peek() === close) {
      pos++;
      return out;
    }
    for (;;) {
      out.push(item());
      const c = peek();
      if (c === ",") {
        pos++;
        if (peek() === close) {
          pos++;
          return out;
        }
        continue;
      }
      if (c === close) {
        pos++;
        return out;
      }
      fail(`expected "," or ${JSON.stringify(close)}`);
    }
  };

  const ident = (): string => {
    skipSpace();
    const start = pos;
    if (!IDENT_START.test(text[pos] ?? "")) fail("expected identifier");
    while (pos < text.length && IDENT_CHAR.test(text[pos])) pos++;
    return text.slice(start, pos);
  };

  const stringLit = (): DebugNode => {
    expect('"');
    let out = "";
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === "\\") {
        const e = text[pos + 1];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0" };
        if (e in simple) {
          out += simple[e];
          pos += 2;
        } else if (e === "u") {
          const m = /^\\u\{([0-9a-fA-F]+)\}/.exec(text.slice(pos, pos + 12));
          if (!m) fail("bad unicode escape");
          out += String.fromCodePoint(parseInt(m![1], 16));
          pos += m![0].length;
        } else fail("unknown escape");
      } else out += text[pos++];
    }
    if (pos >= text.length) fail("unterminated string");
    pos++;
    return { kind: "string", value: out };
  };

  const value = (): DebugNode => {
    const c = peek();
    if (c === "[") {
      pos++;
      return { kind: "list", items: sequence("]", value) };
    }
    if (c === "(") {
      pos++;
      return { kind: "tuple", items: sequence(")", value) };
    }
    if (c === "{") {
      pos++;
      const entries = sequence("}", (): [DebugNode, DebugNode] => {
        const k = value();
        expect(":");
        return [k, value()];
      });
      return { kind: "map", entries };
    }
    if (c === '"') return stringLit();
    if (text.startsWith("0x", pos)) {
      const m = /^0x[0-9a-fA-F]+/.exec(text.slice(pos, pos + 200));
      if (!m) fail("bad hex literal");
      pos += m![0].length;
      return { kind: "hex", value: m![0].toLowerCase() };
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      const m = /^-?[0-9]+/.exec(text.slice(pos, pos + 40));
      if (!m) fail("bad integer");
      pos += m![0].length;
      return { kind: "int", value: BigInt(m![0]) };
    }
    if (IDENT_START.test(c)) {
      const name = ident();
      const next = peek();
      if (next === "{") {
        pos++;
        const fields: Record<string, DebugNode> = {};
        const order: string[] = [];
        sequence("}", () => {
          const f = ident();
          expect(":");
          if (f in fields) fail(`duplicate field ${f}`);
          fields[f] = value();
          order.push(f);
          return f;
        });
        return { kind: "struct", name, fields, order };
      }
      if (next === "(") {
        pos++;
        return { kind: "tupleStruct", name, items: sequence(")", value) };
      }
      return { kind: "ident", name };
    }
    return fail(`unexpected character ${JSON.stringify(c)}`);
  };

  const root = value();
  skipSpace();
  if (pos !== text.length) fail("trailing text after value");
  return root;
}
