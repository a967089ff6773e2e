import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../protocol/repoRoot.js";
import { killOnExit } from "./exitCleanup.js";

/** The fast-path roles (the Stack starts them) and the proof-path roles (the ProofStack starts them). */
export type FastPathRole = "listener" | "executor" | "sender";
export type ProofRole = "prover" | "verifier-node";
/** The explorer page's process (explorer/main.ts; devnet/explorer.ts starts it). */
export type ExplorerRole = "explorer";
export type WorkerRole = FastPathRole | ProofRole | ExplorerRole;

/** The entry point of each role, the same files pm2 starts (ecosystem.config.cjs). */
export const workerEntry = (role: WorkerRole) => (role === "explorer" ? join(REPO_ROOT, "explorer", "main.ts") : join(REPO_ROOT, "workers", role, "main.ts"));
export const NODE_BIN = join(REPO_ROOT, "node_modules", ".bin", "node");

export interface WorkerProcess {
  role: WorkerRole;
  name: string;
  child: ChildProcess;
  /** Parsed JSON log lines so far (non-JSON lines as { msg }). */
  logs: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first log line matching `pred` (already seen or future). */
  waitForLog: (pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait (graceful shutdown); SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
  kill: (signal?: NodeJS.Signals) => void;
}

/**
 * Starts a worker role as a child process with `env` (nothing else from this process's environment except PATH
 * and HOME, so a test controls every variable).
 */
export function spawnWorker(role: WorkerRole, env: Record<string, string | undefined>, options: { name?: string; inheritEnv?: boolean; echo?: boolean } = {}): WorkerProcess {
  const base: Record<string, string | undefined> = options.inheritEnv ? { ...process.env } : { PATH: process.env.PATH, HOME: process.env.HOME };
  const child = spawn(NODE_BIN, ["--import", "tsx", workerEntry(role)], {
    cwd: REPO_ROOT,
    env: { ...base, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!text.trim()) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        line = { msg: text };
      }
      if (options.echo) process.stdout.write(`[${options.name ?? role}] ${text}\n`);
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (options.echo) process.stderr.write(`[${options.name ?? role}] ${d}`);
  });
  // "close" (not "exit"): fires once stdout is drained too, so the last log lines are in `logs`.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const forget = killOnExit(() => child.kill("SIGKILL"));
  void exited.then(forget);

  return {
    role,
    name: options.name ?? role,
    child,
    logs,
    stderr: () => stderr,
    waitForLog: (pred, timeoutMs = 30_000) => {
      const seen = logs.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${options.name ?? role}: no matching log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(t), resolve(l)) });
        void exited.then(({ code }) => {
          clearTimeout(t);
          reject(new Error(`${options.name ?? role} exited (code ${code}) before the expected log line; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
    exited,
    kill: (signal = "SIGKILL") => void child.kill(signal),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(t);
    },
  };
}
