/**
 * pm2 process file: one process per worker role, run by the project's Node 22 (node_modules/.bin/node) with tsx.
 *
 *   pm2 start ecosystem.config.cjs          # reads the environment of this shell (see workers/config/*.ts)
 *   pm2 scale executor 4                    # more execution workers (stateless; any number, any machine)
 *   pm2 logs executor                       # JSON logs
 *   pm2 stop all / pm2 delete all           # SIGINT, then SIGKILL after kill_timeout: jobs in flight finish
 *
 * Required environment: REDIS_URL, RPC_URL, CHAIN_ID, HUB_ADDRESS, plus MODEL_REGISTRY_ADDRESS and MODEL_STORE_DIR
 * for executors and SENDER_PRIVATE_KEYS for the sender. Several machines scale out by pointing their workers at
 * the same REDIS_URL and QUEUE_PREFIX; run exactly one listener per hub (more are harmless but redundant) and
 * exactly one sender per set of keys (it owns their nonces). METRICS_PORT>0 gives each instance
 * METRICS_PORT + NODE_APP_INSTANCE.
 */
const path = require("node:path");

const root = __dirname;
/** Number of comma-separated keys in a variable (0 when unset). */
const keyCount = (v) => (v ? v.split(",").filter((k) => k.trim()).length : 0);
const common = {
  cwd: root,
  interpreter: path.join(root, "node_modules", ".bin", "node"),
  interpreter_args: "--import tsx",
  exec_mode: "fork", // cluster mode needs pm2's own node; fork mode scales the same way with `pm2 scale`
  instance_var: "NODE_APP_INSTANCE",
  kill_timeout: 20_000, // graceful shutdown: worker.close() finishes in-flight jobs
  autorestart: true,
  max_restarts: 50,
  exp_backoff_restart_delay: 200,
  merge_logs: true,
  time: false, // logs are JSON with their own timestamp
};

module.exports = {
  apps: [
    { ...common, name: "listener", script: "workers/listener/main.ts", instances: 1 },
    { ...common, name: "executor", script: "workers/executor/main.ts", instances: Number(process.env.EXECUTOR_INSTANCES || 2) },
    { ...common, name: "sender", script: "workers/sender/main.ts", instances: 1 },
    // Proof path. prover: PROVER_PRIVATE_KEY, BUNDLE_DIRS, PROOF_STORE_DIR (workers/config/prover.ts); one process
    // per prover key (it owns the key's nonces; PROVER_THREADS proofs in parallel). verifier: VERIFIER_PRIVATE_KEY,
    // BUNDLE_DIRS (workers/config/verifierNode.ts); one process per verification node key. A comma-separated key
    // list starts one instance per key (instance i takes key i); a role without keys is not started.
    { ...common, name: "prover", script: "workers/prover/main.ts", instances: Number(process.env.PROVER_INSTANCES ?? keyCount(process.env.PROVER_PRIVATE_KEY)) },
    { ...common, name: "verifier", script: "workers/verifier-node/main.ts", instances: Number(process.env.VERIFIER_INSTANCES ?? keyCount(process.env.VERIFIER_PRIVATE_KEY)) },
    // The explorer page (explorer/config.ts): http://127.0.0.1:${EXPLORER_PORT:-8090}/explorer/. It needs
    // MODEL_REGISTRY_ADDRESS and NODE_REGISTRY_ADDRESS; started when NODE_REGISTRY_ADDRESS is set (or EXPLORER_INSTANCES=1).
    { ...common, name: "explorer", script: "explorer/main.ts", instances: Number(process.env.EXPLORER_INSTANCES ?? (process.env.NODE_REGISTRY_ADDRESS ? 1 : 0)) },
  ].filter((app) => app.instances > 0),
};
