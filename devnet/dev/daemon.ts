/**
 * Processes that outlive the command that started them (`twinpath dev up` returns; the stack keeps running):
 * detached, in their own process group, output appended to a log file. A process is identified by its pid *and* its
 * start time, so stopping it later never signals an unrelated process that reused the pid.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { connect } from "node:net";
import { dirname } from "node:path";
import type { DevProcess } from "./state.js";

export interface DaemonSpec {
  name: string;
  kind: DevProcess["kind"];
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  log: string;
}

/** Starts `spec` detached (its own process group), stdout and stderr appended to `spec.log`. */
export function spawnDaemon(spec: DaemonSpec): DevProcess {
  mkdirSync(dirname(spec.log), { recursive: true });
  const fd = openSync(spec.log, "a");
  try {
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    child.unref();
    return { name: spec.name, kind: spec.kind, pid: child.pid, startTime: processStartTime(child.pid) ?? undefined, argv: [spec.command, ...spec.args], log: spec.log };
  } finally {
    closeSync(fd);
  }
}

/**
 * When the process started, in clock ticks since boot (/proc/<pid>/stat field 22, Linux): with the pid it identifies a
 * process for good. undefined where /proc is not available; null when no such process exists.
 */
export function processStartTime(pid: number): string | undefined | null {
  if (!existsSync("/proc/self/stat")) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return null;
  }
}

/** True while the recorded process runs: the same pid and, where /proc exists, the same start time. */
export function isAlive(p: Pick<DevProcess, "pid" | "startTime">): boolean {
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const started = processStartTime(p.pid);
  if (started === null) return false;
  return started === undefined || p.startTime === undefined || started === p.startTime;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to the process group (graceful: workers finish or hand back their jobs), SIGKILL after `graceMs`.
 * Resolves with what happened; a process that is no longer ours is left alone.
 */
export async function stopDaemon(p: DevProcess, graceMs = 15_000): Promise<"stopped" | "killed" | "not running"> {
  if (!isAlive(p)) return "not running";
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-p.pid, sig); // its group: the process and anything it spawned
    } catch {
      try {
        process.kill(p.pid, sig);
      } catch {
        // gone meanwhile
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(p)) return "stopped";
    await sleep(100);
  }
  signal("SIGKILL");
  for (let i = 0; i < 50 && isAlive(p); i++) await sleep(100);
  return "killed";
}

/** JSON log lines of a text (a line that is not JSON becomes { msg: line }). */
export function parseLogLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        return v && typeof v === "object" ? (v as Record<string, unknown>) : { msg: l };
      } catch {
        return { msg: l };
      }
    });
}

/** The complete lines of `log` from byte `from` on, and the byte offset after them. */
function readCompleteLines(log: string, from: number): { text: string; next: number } {
  if (!existsSync(log)) return { text: "", next: from };
  const size = statSync(log).size;
  if (size <= from) return { text: "", next: from };
  const fd = openSync(log, "r");
  try {
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return { text: "", next: from };
    return { text: buf.subarray(0, end + 1).toString("utf8"), next: from + end + 1 };
  } finally {
    closeSync(fd);
  }
}

/** The last `bytes` of a log, for error messages. */
export function logTail(log: string, bytes = 1500): string {
  if (!existsSync(log)) return "(no log)";
  return readFileSync(log, "utf8").slice(-bytes).trim();
}

/**
 * Resolves with the first log line of `p` (from byte `from` of its log on) matching `pred`; rejects when the process
 * exits first (with the log's tail) or after `timeoutMs`.
 */
export async function waitForLogLine(p: DevProcess, pred: (line: Record<string, unknown>) => boolean, timeoutMs: number, from = 0): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let offset = from;
  for (;;) {
    const { text, next } = readCompleteLines(p.log, offset);
    offset = next;
    const found = parseLogLines(text).find(pred);
    if (found) return found;
    if (!isAlive(p)) throw new Error(`${p.name} exited before it was ready; log ${p.log}:\n${logTail(p.log)}`);
    if (Date.now() > deadline) throw new Error(`${p.name} not ready after ${Math.round(timeoutMs / 1000)} s; log ${p.log}:\n${logTail(p.log)}`);
    await sleep(150);
  }
}

/** Current size of a log (where a later wait should start reading). */
export const logSize = (log: string): number => (existsSync(log) ? statSync(log).size : 0);

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Resolves once `p` accepts TCP connections on 127.0.0.1:`port`; rejects if it exits first or after `timeoutMs`. */
export async function waitForListening(p: DevProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accepts(port)) return;
    if (!isAlive(p)) throw new Error(`${p.name} exited before listening on port ${port}; log ${p.log}:\n${logTail(p.log)}`);
    if (Date.now() > deadline) throw new Error(`${p.name} not listening on port ${port} after ${Math.round(timeoutMs / 1000)} s; log ${p.log}:\n${logTail(p.log)}`);
    await sleep(150);
  }
}

/** True when something accepts connections on 127.0.0.1:`port`. */
export const portInUse = (port: number): Promise<boolean> => accepts(port);
