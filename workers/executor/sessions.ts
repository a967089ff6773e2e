import * as ort from "onnxruntime-node";
import type { Hex } from "viem";
import { InferenceError } from "../shared/errors.js";
import type { ModelStore } from "../model-store/store.js";

/** onnxruntime sessions by model hash, least recently used evicted. Loading goes through the (verifying) store. */
export class SessionCache {
  private sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    private readonly store: ModelStore,
    private readonly capacity = 16,
  ) {}

  get(onnxHash: Hex): Promise<ort.InferenceSession> {
    const key = onnxHash.toLowerCase();
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key); // re-insert: most recently used last
      this.sessions.set(key, session);
      return session;
    }
    session = this.open(onnxHash);
    // A failed load is not cached (the file may be fixed).
    session.catch(() => this.sessions.delete(key));
    this.sessions.set(key, session);
    while (this.sessions.size > this.capacity) {
      const [oldest, s] = this.sessions.entries().next().value as [string, Promise<ort.InferenceSession>];
      this.sessions.delete(oldest);
      void s.then((x) => x.release()).catch(() => {});
    }
    return session;
  }

  private async open(onnxHash: Hex): Promise<ort.InferenceSession> {
    const { bytes, source } = await this.store.load(onnxHash);
    try {
      return await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" });
    } catch (err) {
      throw new InferenceError(`onnxruntime cannot load ${source}`, { cause: err, details: (err as Error).message });
    }
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((x) => x.release()).catch(() => {})));
  }
}

/** Runs a single-input, single-output model on a float32 tensor of `shape`. */
export async function runModel(session: ort.InferenceSession, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input, shape as number[]) };
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  if (!out || !(out.data instanceof Float32Array)) throw new InferenceError(`model output ${session.outputNames[0]} is not a float32 tensor`);
  return out.data;
}
