// Shared-vector loader for the halo2 tests. The vectors live outside the repo (/work/shared or ../shared);
// tests skip with a message when they are absent.
import fs from "node:fs";
import path from "node:path";
import { buildCircuitDescription } from "../../halo2/circuit/build.js";
import { readSrsVerifierParams, type SrsVerifierParams } from "../../halo2/circuit/encoding.js";
import type { CircuitDescription } from "../../halo2/circuit/types.js";
import { instancesFromProofJson } from "../../halo2/verify/instances.js";
import { SHARED_ROOT } from "../shared.js";

export const SHARED = SHARED_ROOT && fs.existsSync(path.join(SHARED_ROOT, "ezkl/vectors/fixture/vectors.json")) ? SHARED_ROOT : null;
export const SKIP_SHARED = SHARED ? false : "shared EZKL vectors (/work/shared or ../shared) are absent";

export interface Vector {
  name: "fixture" | "mlp";
  dir: string;
  vectors: any;
  pinnedText: string;
  vkBytes: Uint8Array;
  srsBytes: Uint8Array;
  srs: SrsVerifierParams;
  compiled: Uint8Array;
  settings: Uint8Array;
  inputJson: string;
  proofJson: any;
  proof: Uint8Array;
  instances: bigint[][];
  desc: CircuitDescription;
}

const cache = new Map<string, Vector>();

export function loadVector(name: "fixture" | "mlp"): Vector {
  const hit = cache.get(name);
  if (hit) return hit;
  if (!SHARED) throw new Error("shared vectors absent");
  const dir = path.join(SHARED, "ezkl/vectors", name);
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const srsBytes = new Uint8Array(fs.readFileSync(name === "fixture" ? path.join(SHARED, "fixtures/ezkl-v21/kzg") : path.join(dir, "dev_k10.srs")));
  const vectors = JSON.parse(fs.readFileSync(path.join(dir, "vectors.json"), "utf8"));
  const pinnedText = fs.readFileSync(path.join(dir, "pinned.txt"), "utf8");
  const vkBytes = read("vk.bin");
  const proofJson = JSON.parse(fs.readFileSync(path.join(dir, "proof.json"), "utf8"));
  const v: Vector = {
    name,
    dir,
    vectors,
    pinnedText,
    vkBytes,
    srsBytes,
    srs: readSrsVerifierParams(srsBytes),
    compiled: read("model.compiled"),
    settings: read("settings.json"),
    inputJson: fs.readFileSync(path.join(dir, "input.json"), "utf8"),
    proofJson,
    proof: Uint8Array.from(proofJson.proof as number[]),
    instances: instancesFromProofJson(proofJson),
    // The vectors record that the digest's Montgomery form was found in engine memory after genVk.
    desc: buildCircuitDescription({
      pinnedText,
      vkBytes,
      digestInEngineMemory: vectors.vk_digest.montgomery_hits_after_genVk > 0,
      realProofLength: vectors.proof.length,
      instanceCounts: [vectors.num_instances],
    }),
  };
  cache.set(name, v);
  return v;
}
