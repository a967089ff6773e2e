// The engine (@ezkljs/engine 21.0.0) as the reference verifier/prover in differential tests.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { bigIntToBytesLE } from "../../halo2/field.js";

const require = createRequire(import.meta.url);
type Engine = {
  verify(proof: Uint8ClampedArray, vk: Uint8ClampedArray, settings: Uint8ClampedArray, srs: Uint8ClampedArray): boolean;
  genVk(compiled: Uint8ClampedArray, srs: Uint8ClampedArray, compress: boolean): Uint8Array;
  genPk(vk: Uint8ClampedArray, compiled: Uint8ClampedArray, srs: Uint8ClampedArray): Uint8Array;
  genWitness(compiled: Uint8ClampedArray, input: Uint8ClampedArray): Uint8Array;
  prove(w: Uint8ClampedArray, pk: Uint8ClampedArray, compiled: Uint8ClampedArray, srs: Uint8ClampedArray): Uint8Array;
};
let engine: Engine | null = null;
export function getEngine(): Engine {
  return (engine ??= require("@ezkljs/engine") as Engine);
}

const clamp = (b: Uint8Array) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength);

export interface EngineKey {
  vk: Uint8Array;
  settings: Uint8Array;
  srs: Uint8Array;
  /** A proof JSON of this key, used as the template for the fields we do not change. */
  proofJsonTemplate: Record<string, unknown>;
}

/** Runs the engine's verify on (proof bytes, instances); a thrown verification error counts as a rejection. */
export function engineVerify(key: EngineKey, proof: Uint8Array, instances: bigint[][]): { ok: boolean; error?: string } {
  const pj = {
    ...key.proofJsonTemplate,
    proof: Array.from(proof),
    hex_proof: "0x" + Buffer.from(proof).toString("hex"),
    instances: instances.map((c) => c.map((v) => Buffer.from(bigIntToBytesLE(v)).toString("hex"))),
  };
  try {
    const ok = getEngine().verify(clamp(Buffer.from(JSON.stringify(pj))), clamp(key.vk), clamp(key.settings), clamp(key.srs));
    return { ok };
  } catch (e) {
    return { ok: false, error: String(e).slice(0, 300) };
  }
}

/** Cache writes go through a rename so an interrupted run never leaves a truncated file. */
export function writeAtomic(file: string, data: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Proving keys derived in this process, by circuit (two proofs of one circuit derive its key once). */
const derivedPks = new Map<string, Uint8Array>();

/**
 * Proves once with the engine and caches the proof JSON under .twinpath/halo2/ (gitignored). `pk`: the circuit's
 * proving key when the caller has it (a demo bundle's cached pk.key; reading it beats deriving it), read only on a
 * cache miss.
 */
export function cachedEngineProof(cacheName: string, compiled: Uint8Array, srs: Uint8Array, vk: Uint8Array, inputJson: string, pk?: () => Uint8Array): Record<string, any> {
  const dir = path.resolve(".twinpath/halo2");
  const file = path.join(dir, `${cacheName}.proof.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const e = getEngine();
  const witness = e.genWitness(clamp(compiled), clamp(Buffer.from(inputJson)));
  const circuit = createHash("sha256").update(vk).update(compiled).update(srs).digest("hex");
  let key = pk?.() ?? derivedPks.get(circuit);
  if (!key) derivedPks.set(circuit, (key = e.genPk(clamp(vk), clamp(compiled), clamp(srs))));
  const proof = e.prove(clamp(witness), clamp(key), clamp(compiled), clamp(srs));
  writeAtomic(file, Buffer.from(proof));
  return JSON.parse(Buffer.from(proof).toString("utf8"));
}
