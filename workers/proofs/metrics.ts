import { Counter, Histogram, type Registry } from "prom-client";

/** Proof-path metrics, registered on the process's registry (workers/shared/metrics.ts). */
export interface ProofMetrics {
  proveSeconds: Histogram<string>;
  verifySeconds: Histogram<"backend">;
  proofs: Counter<"outcome">;
  attestations: Counter<"verdict" | "outcome">;
  executorMismatches: Counter<string>;
}

export function createProofMetrics(registry: Registry): ProofMetrics {
  return {
    proveSeconds: new Histogram({
      name: "twinpath_prove_seconds",
      help: "Witness + proof generation time per request",
      buckets: [0.5, 1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    verifySeconds: new Histogram({
      name: "twinpath_verify_seconds",
      help: "Off-chain proof verification time",
      labelNames: ["backend"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
      registers: [registry],
    }),
    proofs: new Counter({
      name: "twinpath_proofs_total",
      help: "Proof jobs by outcome (submitted, challenged, agreed, skipped)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    attestations: new Counter({
      name: "twinpath_attestations_total",
      help: "Attestations by verdict and outcome (recorded, rejected)",
      labelNames: ["verdict", "outcome"],
      registers: [registry],
    }),
    executorMismatches: new Counter({
      name: "twinpath_executor_mismatches_total",
      help: "Fast-path results the proof contradicts beyond the model's tolerance",
      registers: [registry],
    }),
  };
}
