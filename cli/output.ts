/**
 * What the CLI prints. Results go to stdout (human text, or JSON with `--json`: one document a script can parse);
 * progress and notes go to stderr, so `twinpath … --json | jq` stays clean. Long steps show a spinner with the
 * elapsed time on a terminal and one line per step (start, end with its time) otherwise.
 */
import { formatEther } from "viem";

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** JSON with bigints as decimal strings (wei, ids and fixed-point values exceed 2^53). */
export const toJson = (value: unknown): string => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class Output {
  readonly json: boolean;
  private readonly quiet: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  private spinner?: { timer: NodeJS.Timeout; label: string; started: number };

  constructor(o: OutputOptions = {}) {
    this.json = o.json ?? false;
    this.quiet = o.quiet ?? false;
    this.stdout = o.stdout ?? process.stdout;
    this.stderr = o.stderr ?? process.stderr;
  }

  private get live(): boolean {
    return Boolean(this.stderr.isTTY) && !process.env.CI;
  }

  /** The command's result: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string | string[]): void {
    this.clearSpinner();
    if (this.json) this.stdout.write(toJson(value) + "\n");
    else {
      const text = human();
      this.stdout.write((Array.isArray(text) ? text.join("\n") : text) + "\n");
    }
  }

  /** A human line on stdout that --json leaves out (e.g. a live lifecycle step). */
  line(text: string): void {
    if (this.json) return;
    this.clearSpinner();
    this.stdout.write(text + "\n");
  }

  /** An informational line on stderr (not with --quiet). */
  note(text: string): void {
    if (this.quiet) return;
    this.clearSpinner();
    this.stderr.write(text + "\n");
  }

  warn(text: string): void {
    this.clearSpinner();
    this.stderr.write(`warning: ${text}\n`);
  }

  /** Starts a long step; call the returned function when it is done (with a short result to show). */
  step(label: string): (detail?: string) => void {
    const started = Date.now();
    if (!this.quiet) {
      if (this.live) {
        this.clearSpinner();
        let i = 0;
        const timer = setInterval(() => {
          this.stderr.write(`\r\x1b[2K${FRAMES[i++ % FRAMES.length]} ${label} (${secs(Date.now() - started)})`);
        }, 100);
        timer.unref();
        this.spinner = { timer, label, started };
      } else this.stderr.write(`… ${label}\n`);
    }
    let finished = false;
    return (detail?: string) => {
      if (finished || this.quiet) return;
      finished = true;
      if (this.spinner?.label === label) this.clearSpinner(true);
      this.stderr.write(`✔ ${label}${detail ? ` — ${detail}` : ""} (${secs(Date.now() - started)})\n`);
    };
  }

  private clearSpinner(stop = false): void {
    if (!this.spinner) return;
    this.stderr.write("\r\x1b[2K");
    if (stop) {
      clearInterval(this.spinner.timer);
      this.spinner = undefined;
    }
  }

  /** Stops any spinner (on errors and exit). */
  close(): void {
    this.clearSpinner(true);
  }
}

/** "1.5 ETH" from wei (exact). */
export const eth = (wei: bigint): string => `${formatEther(wei)} ETH`;

/** Plain-text table, columns padded; numbers right-aligned. */
export function table(header: string[], rows: (string | number | bigint | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || typeof r[i] === "bigint" || r[i] == null));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
