import type { Share } from "./tiers.js";

/** A unit of work of a test run: a test file, or the type-check. */
export interface Job {
  name: string;
  share: Share;
  /** how long it took last time (ms), for longest-first ordering */
  expectedMs: number;
}

/**
 * The queue order: serial jobs first (each alone, so nothing waits on them later), then longest first, so the run
 * ends on short jobs instead of starting a long one last.
 */
export function orderJobs<J extends Job>(jobs: J[]): J[] {
  return [...jobs].sort((a, b) => Number(b.share === "serial") - Number(a.share === "serial") || b.expectedMs - a.expectedMs || a.name.localeCompare(b.name));
}

/**
 * The next job to start given what runs now and the machine's `slots`, or undefined to wait for one to finish:
 * a serial job runs alone (the queue waits for the machine to empty, then nothing joins it); at most one heavy job
 * runs at a time, next to light ones; light jobs fill free slots.
 */
export function nextJob<J extends Job>(queue: readonly J[], running: readonly J[], slots: number): J | undefined {
  if (running.length >= slots || running.some((j) => j.share === "serial")) return undefined;
  const head = queue[0];
  if (head?.share === "serial") return running.length === 0 ? head : undefined;
  const heavyRunning = running.some((j) => j.share === "heavy");
  return queue.find((j) => j.share === "light" || (j.share === "heavy" && !heavyRunning));
}
