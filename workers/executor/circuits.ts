import type { Hex } from "viem";
import { genWitness } from "../../compiler/engine/engine.js";
import type { ModelStore } from "../model-store/store.js";
import { InferenceError } from "../shared/errors.js";

/**
 * Compiled circuits by hash (the registry's circuitHash), least recently used evicted. Loading goes through the
 * (verifying) store.
 */
export class CircuitCache {
  private circuits = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly store: ModelStore,
    private readonly capacity = 16,
  ) {}

  get(circuitHash: Hex): Promise<Uint8Array> {
    const key = circuitHash.toLowerCase();
    let circuit = this.circuits.get(key);
    if (circuit) {
      this.circuits.delete(key); // re-insert: most recently used last
      this.circuits.set(key, circuit);
      return circuit;
    }
    circuit = this.store.loadCircuit(circuitHash).then((c) => c.bytes);
    // A failed load is not cached (the file may be fixed).
    circuit.catch(() => this.circuits.delete(key));
    this.circuits.set(key, circuit);
    while (this.circuits.size > this.capacity) this.circuits.delete(this.circuits.keys().next().value as string);
    return circuit;
  }
}

/**
 * The executor's answer: the output of the registered circuit's forward pass (EZKL's witness) for the input, as
 * fixed-point integers at the output scale. The proof of the same input carries exactly these outputs, so the fast
 * and the proven result are equal and the registered tolerance is 0 (bench/executor.ts measures what it costs and
 * what a float answer would need). `input` holds the request's floats (fixed point / 2^scale, exact); `slots` is the
 * version's batch (ModelSpec.batch).
 */
export function runCircuit(compiled: Uint8Array, input: ArrayLike<number>, slots = 1): bigint[] {
  try {
    if (slots === 1) return genWitness(compiled, Array.from(input)).outputs;
    // a batch version (ModelSpec.batch = slots): the request in slot 0, zeros in the others (the hub's padding);
    // every slot computes alone (compiler/batch.ts), so slot 0's output is what any slot of a batch proof carries
    const padded = [...Array.from(input), ...new Array(input.length * (slots - 1)).fill(0)];
    const out = genWitness(compiled, padded).outputs;
    return out.slice(0, out.length / slots);
  } catch (err) {
    throw new InferenceError("the circuit's forward pass (EZKL witness) failed", { cause: err, details: (err as Error).message });
  }
}
