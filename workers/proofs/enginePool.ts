import { Worker } from "node:worker_threads";
import { ProvingError } from "./errors.js";
import type { ProveResult, ProvingEngine, ThreadArtifacts } from "./provingEngine.js";

export type { ProveResult, ThreadArtifacts } from "./provingEngine.js";

export type EngineRequest =
  | { id: number; op: "prove"; key: string; artifacts?: ThreadArtifacts; input: number[] }
  | { id: number; op: "verify"; key: string; artifacts?: ThreadArtifacts; proofJson: Uint8Array };

export type EngineResponse =
  | { id: number; ok: true; op: "prove"; proof: Uint8Array; witnessMs: number; proveMs: number }
  | { id: number; ok: true; op: "verify"; valid: boolean; verifyMs: number }
  | { id: number; ok: false; error: string };

export interface EnginePoolOptions {
  /** Worker threads (each proves one job at a time). @defaultValue 1 */
  threads?: number;
  /** A task running longer than this kills its thread and fails. @defaultValue 600_000 */
  taskTimeoutMs?: number;
}

type TaskRequest = { op: "prove"; key: string; input: number[] } | { op: "verify"; key: string; proofJson: Uint8Array };

interface Task {
  req: TaskRequest;
  artifacts: ThreadArtifacts;
  resolve: (r: EngineResponse) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  loaded: Set<string>;
  busy?: { id: number; task: Task; timer: NodeJS.Timeout };
}

const THREAD_ENTRY = new URL("./engineThread.ts", import.meta.url);

/**
 * A fixed pool of worker threads running @ezkljs/engine (witness + prove, or verify). Tasks queue FIFO; a thread
 * that dies or times out is replaced and its task fails with ProvingError (the caller's job retries).
 */
export class EnginePool implements ProvingEngine {
  readonly backend = "wasm" as const;
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  readonly threads: number;
  private readonly timeoutMs: number;

  constructor(options: EnginePoolOptions = {}) {
    this.threads = options.threads ?? 1;
    this.timeoutMs = options.taskTimeoutMs ?? 600_000;
    for (let i = 0; i < this.threads; i++) this.slots.push(this.spawn());
  }

  get parallelism(): number {
    return this.threads;
  }

  describe(): Record<string, unknown> {
    return { engine: "@ezkljs/engine@21.0.0", threads: this.threads };
  }

  /** Tasks waiting plus running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  async prove(key: string, artifacts: ThreadArtifacts, input: number[]): Promise<ProveResult> {
    const r = await this.run({ op: "prove", key, input }, artifacts);
    if (!r.ok) throw new ProvingError(`proving failed: ${r.error}`);
    if (r.op !== "prove") throw new ProvingError("engine thread answered another operation");
    return { proof: r.proof, witnessMs: r.witnessMs, proveMs: r.proveMs };
  }

  /** true iff the engine verifies `proofJson` against the artifacts' vk, settings and SRS. */
  async verify(key: string, artifacts: ThreadArtifacts, proofJson: Uint8Array): Promise<{ valid: boolean; verifyMs: number }> {
    const r = await this.run({ op: "verify", key, proofJson }, artifacts);
    if (!r.ok) throw new ProvingError(`verification crashed: ${r.error}`);
    if (r.op !== "verify") throw new ProvingError("engine thread answered another operation");
    return { valid: r.valid, verifyMs: r.verifyMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new ProvingError("engine pool closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private run(req: Task["req"], artifacts: ThreadArtifacts): Promise<EngineResponse> {
    if (this.closed) return Promise.reject(new ProvingError("engine pool closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ req, artifacts, resolve, reject });
      this.dispatch();
    });
  }

  private spawn(): Slot {
    const worker = new Worker(THREAD_ENTRY);
    const slot: Slot = { worker, loaded: new Set() };
    worker.on("message", (r: EngineResponse) => {
      const busy = slot.busy;
      if (!busy || busy.id !== r.id) return;
      clearTimeout(busy.timer);
      slot.busy = undefined;
      busy.task.resolve(r);
      this.dispatch();
    });
    const fail = (reason: string) => {
      const busy = slot.busy;
      slot.busy = undefined;
      if (busy) {
        clearTimeout(busy.timer);
        busy.task.reject(new ProvingError(`engine thread ${reason}`));
      }
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      this.dispatch();
    };
    worker.on("error", (err) => fail(`crashed: ${err.message}`));
    worker.on("exit", (code) => {
      if (this.slots.includes(slot)) fail(`exited with code ${code}`);
    });
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      const id = this.nextId++;
      const needs = !slot.loaded.has(task.req.key);
      const msg = { ...task.req, id, artifacts: needs ? task.artifacts : undefined } as EngineRequest;
      slot.loaded.add(task.req.key);
      const timer = setTimeout(() => {
        // A runaway task: kill the thread (the exit handler replaces it and fails the task).
        void slot.worker.terminate();
      }, this.timeoutMs);
      slot.busy = { id, task, timer };
      slot.worker.ref();
      slot.worker.postMessage(msg);
    }
    for (const slot of this.slots) if (!slot.busy) slot.worker.unref();
  }
}
