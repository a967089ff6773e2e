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
    // Proof path (issue: prover / verification nodes) — added by that work, e.g.:
    // { ...common, name: "prover", script: "workers/prover/main.ts", instances: 1 },
    // { ...common, name: "verifier", script: "workers/verifier-node/main.ts", instances: 1 },
  ],
};
