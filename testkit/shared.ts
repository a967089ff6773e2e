// Where the steering repo's shared/ folder (ezkl reference artifacts and vectors) is, if anywhere: $TWINPATH_SHARED,
// ("none" pretends it is absent), then ../shared beside this checkout (how CI lays it out), then /work/shared. Tests that need it skip with a message
// when it is absent: the project itself never depends on it.
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT as repoRoot } from "../protocol/repoRoot.js";

function findShared(): string | null {
  if (process.env.TWINPATH_SHARED === "none") return null; // to check that the suite passes without shared/
  const candidates = [process.env.TWINPATH_SHARED, path.resolve(repoRoot, "../shared"), "/work/shared"];
  for (const p of candidates) if (p && existsSync(path.join(p, "ezkl"))) return p;
  return null;
}

/** Absolute path of shared/, or null. */
export const SHARED_ROOT = findShared();

/** Path of a file under shared/ (a path that does not exist when shared/ is absent, so existsSync is false). */
export const sharedPath = (...parts: string[]): string => path.join(SHARED_ROOT ?? "/nonexistent-shared", ...parts);

/** Skip reason for node:test when shared/ is absent. */
export const SHARED_ABSENT = "shared reference artifacts (../shared, /work/shared or $TWINPATH_SHARED) are absent";
