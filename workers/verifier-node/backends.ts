import { describeCircuit, readSrsVerifierParams, verifyProofDetailed, type CircuitDescription } from "../../halo2/index.js";
import type { ModelArtifacts } from "../proofs/bundles.js";
import type { ProvingEngine } from "../proofs/provingEngine.js";
import { engineProofJson } from "../proofs/proofJson.js";
import { PromiseCache } from "../shared/promiseCache.js";

export type VerifierBackend = "engine" | "ts" | "both";

export interface Verdict {
  valid: boolean;
  /** per backend: verdict and time */
  checks: { backend: "engine" | "ts"; valid: boolean; ms: number; reason?: string }[];
  /** set when the proof's bytes could not be fetched (the verdict is then invalid, no backend ran) */
  unavailable?: string;
}

/**
 * Off-chain proof verification against a model's registered artifacts, with instances the node built itself.
 * `engine`: EZKL's own verify (the WASM engine in a worker thread, or native EZKL). `ts`: the project's TypeScript
 * Halo2 verifier (halo2/), whose circuit description is derived once per verifying key. `both`: valid only if both accept (a disagreement is
 * reported in `checks`).
 */
export class ProofVerifier {
  private readonly descriptions = new PromiseCache<string, { desc: CircuitDescription; srs: ReturnType<typeof readSrsVerifierParams> }>();

  constructor(
    readonly backend: VerifierBackend,
    private readonly pool: Pick<ProvingEngine, "verify">,
  ) {}

  async verify(artifacts: ModelArtifacts, proof: Uint8Array, instances: bigint[]): Promise<Verdict> {
    const checks: Verdict["checks"] = [];
    if (this.backend !== "ts") {
      const t0 = performance.now();
      const r = await this.pool.verify(artifacts.manifestHash, artifacts, engineProofJson(proof, instances));
      checks.push({ backend: "engine", valid: r.valid, ms: performance.now() - t0 });
    }
    if (this.backend !== "engine") {
      const { desc, srs } = await this.description(artifacts);
      const t0 = performance.now();
      const r = verifyProofDetailed(desc, proof, [instances], srs);
      checks.push({ backend: "ts", valid: r.ok, ms: performance.now() - t0, reason: r.ok ? undefined : r.reason });
    }
    return { valid: checks.every((c) => c.valid), checks };
  }

  /** Derive (once) the TS verifier's circuit description; call at start-up to keep it off the first job. */
  description(artifacts: ModelArtifacts) {
    return this.descriptions.get(artifacts.manifestHash, async () => ({
      desc: await describeCircuit({ compiled: artifacts.compiled, settings: artifacts.settings, srs: artifacts.srs, vk: artifacts.vk }),
      srs: readSrsVerifierParams(artifacts.srs),
    }));
  }
}

/** Public values the circuit's settings declare (product of every model_instance_shapes entry, summed). */
export function settingsInstanceCount(settings: Uint8Array): number | null {
  try {
    const s = JSON.parse(new TextDecoder().decode(settings)) as { model_instance_shapes?: number[][] };
    if (!Array.isArray(s.model_instance_shapes)) return null;
    return s.model_instance_shapes.reduce((sum, shape) => sum + shape.reduce((p, d) => p * d, 1), 0);
  } catch {
    return null;
  }
}
