// Runs the twinpath CLI (cli/program.ts `main`, what bin/twinpath.mjs runs) inside the test process, with its own
// environment, capturing stdout, stderr and the exit code. Every spawn of the bin starts two Node processes and loads
// the whole CLI (Hardhat, viem, BullMQ, the compiler) through tsx: ~2 s of CPU each, 7 s and more on a loaded
// machine. Tests of what the launcher itself does (exit codes through the process boundary, --help) still spawn it.
import { main } from "../cli/program.js";

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (untyped, as JSON.parse) */
  json: () => ReturnType<typeof JSON.parse>;
}

type Write = typeof process.stdout.write;

let running = false;

/**
 * `twinpath <args>` in this process. `env` sets variables (undefined unsets one) for the call only; the process's
 * environment, `process.exitCode` and its output streams are restored afterwards. Calls must not overlap.
 */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  if (running) throw new Error("runCli: calls must not overlap (they share process.env and the output streams)");
  running = true;
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write;
  const origErr = process.stderr.write;
  // The CLI writes text; the test runner's own reports (binary frames a `node --test` child sends its parent on
  // stdout) may be flushed during the call and pass through untouched.
  const capture = (sink: string[], orig: Write, stream: NodeJS.WriteStream): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk !== "string") return (orig as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      sink.push(chunk);
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    }) as Write;
  process.stdout.write = capture(out, origOut, process.stdout);
  process.stderr.write = capture(err, origErr, process.stderr);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  let status: number;
  try {
    status = await main(["node", "twinpath", ...args]);
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
    process.exitCode = exitCode;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
  const stdout = out.join("");
  return { status, stdout, stderr: err.join(""), json: () => JSON.parse(stdout) };
}
