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
 * The next job to start given what runs now and the machine's `slots` (its cores), or undefined to wait for one to
 * finish: a serial job runs alone (the queue waits for the machine to empty, then nothing joins it); light jobs fill
 * the slots; one heavy job at a time runs on top of them. A heavy job is a stack of processes that mostly waits
 * (on blocks, windows, timers, its own niced provers), so the light jobs next to it run at a lower CPU priority
 * (run.ts: LIGHT_NICE) and take the CPU it leaves, instead of a slot it would leave half idle.
 */
export function nextJob<J extends Job>(queue: readonly J[], running: readonly J[], slots: number): J | undefined {
  if (running.some((j) => j.share === "serial")) return undefined;
  const head = queue[0];
  if (head?.share === "serial") return running.length === 0 ? head : undefined;
  const heavyRunning = running.some((j) => j.share === "heavy");
  const lights = running.filter((j) => j.share === "light").length;
  return queue.find((j) => (j.share === "light" && lights < slots) || (j.share === "heavy" && !heavyRunning));
}
