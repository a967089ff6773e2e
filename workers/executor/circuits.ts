import type { Hex } from "viem";
import { genWitness } from "../../compiler/engine/engine.js";
import type { ModelStore } from "../model-store/store.js";
import { InferenceError } from "../shared/errors.js";
import { Batcher } from "../shared/batcher.js";
import { PromiseCache } from "../shared/promiseCache.js";

/**
 * Compiled circuits by hash (the registry's circuitHash), least recently used evicted. Loading goes through the
 * (verifying) store.
 */
export class CircuitCache {
  private readonly circuits: PromiseCache<string, Uint8Array>;

  constructor(
    private readonly store: ModelStore,
    capacity = 16,
  ) {
    this.circuits = new PromiseCache({ capacity });
  }

  get(circuitHash: Hex): Promise<Uint8Array> {
    // a failed load is not cached (the file may be fixed)
    return this.circuits.get(circuitHash.toLowerCase(), async () => (await this.store.loadCircuit(circuitHash)).bytes);
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
  // a batch version (ModelSpec.batch = slots): the request in slot 0, zeros in the others (the hub's padding);
  // every slot computes alone (compiler/batch.ts), so slot 0's output is what any slot of a batch proof carries
  return runGroup(compiled, [input], slots)[0];
}

/**
 * A batch version's forward pass for the requests that reach it at about the same time, together: request i in slot
 * i of one witness, zeros in the slots left (the hub's padding). Every slot computes alone (compiler/batch.ts), so a
 * request's output is the same in any slot, alone or not, and N requests cost about one witness instead of N (a
 * witness costs mostly its fixed part: ~2.5 ms for iris-mlp at batch 1, ~2.7 ms at batch 2). When a shared witness
 * fails, each request runs alone, so a bad input fails only its own job. A batch-1 version runs each request alone.
 */
export class WitnessGroups {
  private readonly groups = new WeakMap<Uint8Array, Batcher<ArrayLike<number>, bigint[]>>();

  /** `runShared`: how one shared witness runs (runGroup; tests count the calls) */
  constructor(private readonly runShared: typeof runGroup = runGroup) {}

  run(compiled: Uint8Array, input: ArrayLike<number>, slots = 1): Promise<bigint[]> {
    if (slots === 1) return Promise.resolve().then(() => runCircuit(compiled, input));
    let group = this.groups.get(compiled);
    if (!group) {
      group = new Batcher({
        maxBatchSize: slots,
        maxWaitMs: 0, // the requests whose jobs reach the model in one turn of the event loop
        send: async (inputs) => {
          if (inputs.length === 1) return [settle(() => runCircuit(compiled, inputs[0], slots))];
          try {
            return this.runShared(compiled, inputs, slots).map((value) => ({ ok: true as const, value }));
          } catch {
            return inputs.map((input) => settle(() => runCircuit(compiled, input, slots)));
          }
        },
      });
      this.groups.set(compiled, group);
    }
    return group.submit(input);
  }
}

/** Requests in slots 0..k-1 of one witness of a batch-`slots` circuit, each slot's output. */
export function runGroup(compiled: Uint8Array, inputs: readonly ArrayLike<number>[], slots: number): bigint[][] {
  const width = inputs[0].length;
  // one width for every slot: inputs of other lengths that add up would shift every later slot's request
  if (inputs.some((x) => x.length !== width)) throw new InferenceError(`a shared witness of inputs of different lengths (${inputs.map((x) => x.length).join(", ")})`);
  const flat = [...inputs.flatMap((x) => Array.from(x)), ...new Array(width * (slots - inputs.length)).fill(0)];
  let out: bigint[];
  try {
    out = genWitness(compiled, flat).outputs;
  } catch (err) {
    throw new InferenceError("the circuit's forward pass (EZKL witness) failed", { cause: err, details: (err as Error).message });
  }
  const per = out.length / slots;
  return inputs.map((_, i) => out.slice(i * per, (i + 1) * per));
}

function settle<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}
