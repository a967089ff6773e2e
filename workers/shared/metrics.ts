import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics of one worker process. A registry per process (not prom-client's global one) so tests can
 * create several workers in one process without name clashes.
 */
export interface WorkerMetrics {
  registry: Registry;
  queueDepth: Gauge<"queue" | "state">;
  jobLatency: Histogram<"queue" | "outcome">;
  jobFailures: Counter<"queue" | "kind">;
  txGas: Histogram<"action">;
  txSent: Counter<"action" | "outcome">;
  listenerBlock: Gauge<string>;
  listenerEvents: Counter<string>;
}

export function createMetrics(role: string): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    queueDepth: new Gauge({
      name: "twinpath_queue_depth",
      help: "Jobs in a queue by state (waiting, active, delayed, failed)",
      labelNames: ["queue", "state"],
      registers: [registry],
    }),
    jobLatency: new Histogram({
      name: "twinpath_job_duration_seconds",
      help: "Time from job start to finish",
      labelNames: ["queue", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: "twinpath_job_failures_total",
      help: "Failed job attempts (kind: retryable or permanent)",
      labelNames: ["queue", "kind"],
      registers: [registry],
    }),
    txGas: new Histogram({
      name: "twinpath_tx_gas_used",
      help: "Gas used by mined transactions",
      labelNames: ["action"],
      buckets: [50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000, 3_200_000, 6_400_000],
      registers: [registry],
    }),
    txSent: new Counter({
      name: "twinpath_tx_total",
      help: "Transactions by outcome (mined, reverted, replaced, failed)",
      labelNames: ["action", "outcome"],
      registers: [registry],
    }),
    listenerBlock: new Gauge({
      name: "twinpath_listener_block",
      help: "Last block processed by the listener",
      registers: [registry],
    }),
    listenerEvents: new Counter({
      name: "twinpath_listener_requests_total",
      help: "InferenceRequested events turned into jobs",
      registers: [registry],
    }),
  };
}
