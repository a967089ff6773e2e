/**
 * PROVER_BACKEND=native: proofs made by native EZKL (ezkl==21.0.0) in long-lived child processes, behind the same
 * ProvingEngine interface as the WASM EnginePool.
 *
 * - Each model's artifacts are written once into a private folder (the native API reads files); the children
 *   read them from there, and the OS keeps them in memory between proofs.
 * - `processes` children each prove one task at a time with their own thread pool of `threadsPerProcess`
 *   threads (RAYON_NUM_THREADS). Tasks queue FIFO.
 * - A child that dies (killed, crashed, out of memory) or overruns the task timeout (it is then killed) fails
 *   its task with ProvingError and is replaced; the prove job retries, and the processor's chain checks make
 *   sure nothing is proved twice on chain.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../shared/logger.js";
import { ProvingError } from "../errors.js";
import type { ProveResult, ProvingEngine, ThreadArtifacts } from "../provingEngine.js";
import { NativeChild, NativeChildExitedError, type NativeChildOptions } from "./child.js";

export interface NativePoolOptions {
  /** Python interpreter with ezkl==21.0.0. @defaultValue "python3" */
  python?: string;
  /** Child processes, each proving one task at a time. @defaultValue 1 */
  processes?: number;
  /** Threads of each child's own pool. @defaultValue max(1, floor(cores / processes)) */
  threadsPerProcess?: number;
  /** A task running longer than this kills its child and fails. @defaultValue 600_000 */
  taskTimeoutMs?: number;
  /** Report the layout/polynomial split of each proof in ProveResult.stages (benchmarks). @defaultValue false */
  stageDetail?: boolean;
  /** Fault injection for tests only: each child pauses this long inside every prove request. */
  faultPauseMs?: number;
  logger?: Logger;
}

/** Where a model's artifacts were written for the children. */
export interface StagedArtifacts {
  compiled: string;
  settings: string;
  srs: string;
  vk: string;
  pk?: string;
}

/** Where a native proof's time went (stageDetail): from ezkl's own log records. */
export interface NativeProofStages {
  keyLoadMs: number;
  /** SRS load, circuit configuration */
  setupMs: number;
  /** laying out the circuit: assigning the witness to cells */
  layoutMs: number;
  /** commitments, FFTs, MSMs, the quotient and the openings */
  polyMs: number;
}

interface Task {
  op: string;
  params: Record<string, unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  child?: NativeChild;
  starting?: Promise<void>;
  busy?: { task: Task; timer: NodeJS.Timeout; timedOut: boolean };
}

export class NativePool implements ProvingEngine {
  readonly backend = "native" as const;
  readonly processes: number;
  readonly threadsPerProcess: number;
  /** children replaced after dying or timing out */
  restarts = 0;
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private staged = new Map<string, StagedArtifacts>();
  private readonly stageRoot: string;
  private readonly timeoutMs: number;
  private readonly childOptions: NativeChildOptions;
  private closed = false;

  private constructor(private readonly options: NativePoolOptions) {
    this.processes = options.processes ?? 1;
    this.threadsPerProcess = options.threadsPerProcess ?? Math.max(1, Math.floor(availableParallelism() / this.processes));
    this.timeoutMs = options.taskTimeoutMs ?? 600_000;
    this.stageRoot = mkdtempSync(join(tmpdir(), "twinpath-native-keys-"));
    this.childOptions = {
      python: options.python,
      threads: this.threadsPerProcess,
      // ezkl caches lookup tables on disk: one cache for this pool's children, not the operator's home
      cacheDir: join(this.stageRoot, "ezkl-cache"),
      stageDetail: options.stageDetail,
      faultPauseMs: options.faultPauseMs,
      onStderr: (line) => options.logger?.warn({ native: line }, "native EZKL stderr"),
    };
  }

  /** Starts every child; throws NativeEzklUnavailableError when Python or ezkl==21.0.0 is missing. */
  static async start(options: NativePoolOptions = {}): Promise<NativePool> {
    const pool = new NativePool(options);
    try {
      const children = await Promise.all(Array.from({ length: pool.processes }, () => NativeChild.start(pool.childOptions)));
      for (const child of children) pool.slots.push(pool.adopt({}, child));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get parallelism(): number {
    return this.processes;
  }

  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  describe(): Record<string, unknown> {
    const versions = [...new Set(this.slots.flatMap((s) => (s.child ? [s.child.version] : [])))];
    return { engine: `ezkl==${versions.join(",")} (native)`, processes: this.processes, threadsPerProcess: this.threadsPerProcess, pids: this.pids() };
  }

  /** Process ids of the running children. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.alive ? [s.child.pid] : []));
  }

  /** Process ids of the children working on a task now (tests kill one mid-proof). */
  busyPids(): number[] {
    return this.slots.flatMap((s) => (s.child?.alive && s.busy ? [s.child.pid] : []));
  }

  /**
   * Uses artifacts already on disk under `key` (no copy): for callers that checked the files themselves and for
   * proving keys too large to hold in memory (Node reads at most 2 GiB into one buffer).
   */
  useFiles(key: string, files: StagedArtifacts): void {
    this.staged.set(key, files);
  }

  /** Writes a model's artifacts for the children, once per key. */
  stage(key: string, a: ThreadArtifacts): StagedArtifacts {
    let s = this.staged.get(key);
    if (s && (s.pk || !a.pk)) return s;
    const dir = join(this.stageRoot, key.replace(/[^A-Za-z0-9_-]/g, "_"));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const put = (name: string, bytes: Uint8Array) => {
      const p = join(dir, name);
      writeFileSync(p, bytes, { mode: 0o600 });
      return p;
    };
    s = { compiled: put("model.compiled", a.compiled), settings: put("settings.json", a.settings), srs: put("kzg.srs", a.srs), vk: put("vk.key", a.vk), pk: a.pk ? put("pk.key", a.pk) : undefined };
    this.staged.set(key, s);
    return s;
  }

  async prove(key: string, artifacts: ThreadArtifacts, input: number[]): Promise<ProveResult & { stages?: NativeProofStages }> {
    const s = this.stage(key, artifacts);
    if (!s.pk) throw new ProvingError(`artifacts ${key} have no proving key`);
    const r = await this.request<{ proof: string; witnessMs: number; proveMs: number; keyLoadMs: number | null; stages?: NativeProofStages }>("prove", { compiled: s.compiled, pk: s.pk, srs: s.srs, input: [input] });
    return { proof: new TextEncoder().encode(r.proof), witnessMs: r.witnessMs, proveMs: r.proveMs, keyLoadMs: r.keyLoadMs ?? undefined, stages: r.stages };
  }

  async verify(key: string, artifacts: ThreadArtifacts, proofJson: Uint8Array): Promise<{ valid: boolean; verifyMs: number }> {
    const s = this.stage(key, artifacts);
    const r = await this.request<{ valid: boolean; verifyMs: number }>("verify", { proof: new TextDecoder().decode(proofJson), settings: s.settings, vk: s.vk, srs: s.srs });
    return { valid: r.valid, verifyMs: r.verifyMs };
  }

  /** Any operation of ezkl_worker.py (genWitness, mock, pkLoad, setup, ...), queued like a proof. */
  request<T>(op: string, params: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new ProvingError("native pool closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, params, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new ProvingError("native pool closed"));
    await Promise.all(this.slots.map(async (s) => {
      await s.starting?.catch(() => undefined);
      await s.child?.close(2000);
    }));
    rmSync(this.stageRoot, { recursive: true, force: true });
  }

  private adopt(slot: Slot, child: NativeChild): Slot {
    slot.child = child;
    slot.starting = undefined;
    void child.exited.then((info) => {
      if (slot.child !== child || this.closed) return;
      slot.child = undefined;
      this.restarts++;
      this.options.logger?.warn({ pid: child.pid, code: info.code, signal: info.signal, busy: Boolean(slot.busy) }, "native EZKL process died; starting another");
      this.respawn(slot, 0);
    });
    return slot;
  }

  private respawn(slot: Slot, attempt: number): void {
    if (this.closed) return;
    slot.starting = NativeChild.start(this.childOptions).then(
      (child) => {
        if (this.closed) return void child.close();
        this.adopt(slot, child);
        this.dispatch();
      },
      (err: Error) => {
        // e.g. the machine is out of memory right now: try again, slower each time
        this.options.logger?.error({ err: err.message, attempt }, "could not restart a native EZKL process");
        setTimeout(() => this.respawn(slot, attempt + 1), Math.min(30_000, 500 * 2 ** attempt)).unref();
      },
    );
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || !slot.child?.alive || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      const child = slot.child;
      const busy = { task, timedOut: false, timer: setTimeout(() => ((busy.timedOut = true), child.kill("SIGKILL")), this.timeoutMs) };
      slot.busy = busy;
      child.call(task.op, task.params).then(
        (v) => this.finish(slot, busy, () => task.resolve(v)),
        (err: Error) => {
          const reason = busy.timedOut ? `native ${task.op} timed out after ${this.timeoutMs} ms (process killed)` : err instanceof NativeChildExitedError ? err.message : `native ${task.op} failed: ${err.message}`;
          this.finish(slot, busy, () => task.reject(new ProvingError(reason, { cause: err })));
        },
      );
    }
  }

  private finish(slot: Slot, busy: NonNullable<Slot["busy"]>, settle: () => void): void {
    clearTimeout(busy.timer);
    if (slot.busy === busy) slot.busy = undefined;
    settle();
    this.dispatch();
  }
}
