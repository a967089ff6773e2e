import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stdout, one line per event, tagged with the role and the process instance. */
export function createLogger(role: string, level = "info"): Logger {
  return pino({
    level,
    base: { role, pid: process.pid, instance: process.env.NODE_APP_INSTANCE ?? "0" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
