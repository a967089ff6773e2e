/**
 * One native EZKL child process (ezkl_worker.py): spawn, wait for its ready line, send requests and match replies
 * by id (line-delimited JSON over stdio). The child handles one request at a time; callers may queue several.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { TwinpathError } from "../../shared/errors.js";

/** The worker script, next to this file. */
export const NATIVE_WORKER_SCRIPT = new URL("./ezkl_worker.py", import.meta.url).pathname;
export const NATIVE_REQUIREMENTS = "workers/proofs/native/requirements.txt";
export const NATIVE_EZKL_VERSION = "21.0.0";

/** Native EZKL cannot start: no Python, no `ezkl` package, or another version of it. */
export class NativeEzklUnavailableError extends TwinpathError {
  override name = "NativeEzklUnavailableError";
  override readonly code = 5006;
  constructor(reason: string, python: string) {
    super(`native EZKL is not available: ${reason}`, {
      metaMessages: [`  python: ${python}`],
      details: `Install it once: ${python} -m pip install --require-hashes -r ${NATIVE_REQUIREMENTS} (or set PROVER_PYTHON to an interpreter that has ezkl==${NATIVE_EZKL_VERSION}), or use PROVER_BACKEND=wasm.`,
    });
  }
}

/** The child died (killed, crashed, out of memory) while requests were outstanding. */
export class NativeChildExitedError extends TwinpathError {
  override name = "NativeChildExitedError";
  override readonly code = 5007;
}

export interface NativeChildOptions {
  /** Python interpreter with ezkl==21.0.0. @defaultValue "python3" */
  python?: string;
  /** Threads of the child's own pool (RAYON_NUM_THREADS); undefined = one per core. */
  threads?: number;
  /** Where ezkl keeps its lookup-table cache (EZKL_REPO_PATH); undefined = the environment's, else ~/.ezkl. */
  cacheDir?: string;
  /** Report the layout/polynomial split of each proof (benchmarks; costs a little logging). */
  stageDetail?: boolean;
  /** Fault injection for tests only: pause this long inside every prove request (a test kills the child then). */
  faultPauseMs?: number;
  /** Time allowed for import + version check. @defaultValue 30_000 */
  startTimeoutMs?: number;
  /** Called with each line the child writes on stderr (native warnings, crashes). */
  onStderr?: (line: string) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class NativeChild {
  readonly pid: number;
  readonly version: string;
  /** Resolves when the process has exited (code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private stderrTail: string[] = [];
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly workdir: string,
    ready: { pid: number; ezkl: string },
    lines: Interface,
    stderrTail: string[],
    exited: NativeChild["exited"],
  ) {
    this.pid = ready.pid;
    this.version = ready.ezkl;
    this.stderrTail = stderrTail;
    this.exited = exited;
    lines.on("line", (line) => this.onLine(line));
    void exited.then((info) => {
      this.exitInfo = info;
      const how = info.signal ? `killed by ${info.signal}` : `exited with code ${info.code}`;
      const err = new NativeChildExitedError(`native EZKL process ${this.pid} ${how}`, { metaMessages: this.stderrTail.slice(-5).map((l) => `  stderr: ${l}`) });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      rmSync(this.workdir, { recursive: true, force: true });
    });
  }

  /** Starts a child and waits for its ready line; refuses a missing or wrong ezkl with NativeEzklUnavailableError. */
  static async start(options: NativeChildOptions = {}): Promise<NativeChild> {
    const python = options.python ?? "python3";
    const workdir = mkdtempSync(join(tmpdir(), "twinpath-ezkl-"));
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
    if (options.threads !== undefined) env.RAYON_NUM_THREADS = String(options.threads);
    if (options.cacheDir && !env.EZKL_REPO_PATH) env.EZKL_REPO_PATH = options.cacheDir;
    if (options.stageDetail) env.TWINPATH_EZKL_STAGES = "1";
    if (options.faultPauseMs) env.TWINPATH_EZKL_FAULT_PAUSE_MS = String(options.faultPauseMs);
    let proc: ChildProcessWithoutNullStreams;
    try {
      proc = spawn(python, [NATIVE_WORKER_SCRIPT, "--workdir", workdir], { env, stdio: "pipe" });
    } catch (err) {
      rmSync(workdir, { recursive: true, force: true });
      throw new NativeEzklUnavailableError(`cannot run ${python}: ${(err as Error).message}`, python);
    }
    const tail: string[] = [];
    createInterface({ input: proc.stderr }).on("line", (l) => {
      tail.push(l);
      if (tail.length > 40) tail.shift();
      options.onStderr?.(l);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      proc.once("exit", (code, signal) => resolve({ code, signal }));
      proc.once("error", () => resolve({ code: null, signal: null }));
    });
    const spawnError = new Promise<Error>((resolve) => proc.once("error", resolve));
    const lines = createInterface({ input: proc.stdout });
    const first = new Promise<string>((resolve) => lines.once("line", resolve));
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      first.then((l) => ({ line: l })),
      spawnError.then((e) => ({ error: `cannot run ${python}: ${e.message}` })),
      exited.then((x) => ({ error: `${python} exited (${x.signal ?? `code ${x.code}`}) before it was ready${tail.length ? `: ${tail.slice(-3).join(" | ")}` : ""}` })),
      new Promise<{ error: string }>((resolve) => (timer = setTimeout(() => resolve({ error: `no ready line within ${timeoutMs} ms` }), timeoutMs))),
    ]);
    clearTimeout(timer);
    const fail = (reason: string): never => {
      proc.kill("SIGKILL");
      rmSync(workdir, { recursive: true, force: true });
      throw new NativeEzklUnavailableError(reason, python);
    };
    if ("error" in outcome) return fail(outcome.error);
    let ready: { ready?: boolean; error?: string; pid?: number; ezkl?: string };
    try {
      ready = JSON.parse(outcome.line);
    } catch {
      return fail(`unexpected first line from the worker: ${outcome.line.slice(0, 200)}`);
    }
    if (!ready.ready) return fail(ready.error ?? "the worker refused to start");
    return new NativeChild(proc, workdir, { pid: ready.pid ?? proc.pid!, ezkl: ready.ezkl ?? "?" }, lines, tail, exited);
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Sends one request; rejects with the child's error text, or NativeChildExitedError if it dies meanwhile. */
  call<T>(op: string, params: Record<string, unknown>): Promise<T> {
    if (!this.alive) return Promise.reject(new NativeChildExitedError(`native EZKL process ${this.pid} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.stdin.write(JSON.stringify({ ...params, id, op }) + "\n");
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.alive) this.proc.kill(signal);
  }

  /** Ends stdin (the child exits after its current request); kills it if it has not gone within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.proc.stdin.end();
    const t = setTimeout(() => this.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  private onLine(line: string): void {
    let msg: { id?: number; ok?: boolean; result?: unknown; error?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      this.stderrTail.push(`(stdout) ${line}`);
      return;
    }
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id!);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error ?? "native EZKL failed"));
  }
}
