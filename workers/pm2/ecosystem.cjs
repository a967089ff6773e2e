/**
 * The pm2 apps of the workers, in two presets (the files at the repository root pick one):
 *
 *   ecosystem.dev.config.cjs    a local chain: `npx hardhat node` on 127.0.0.1:8545, Redis on 127.0.0.1:6379, the
 *                               addresses of deployments/31337.json, Hardhat's public test accounts as node keys
 *                               (accounts 1, 5, 10-12: the ones devnet stakes), the committed demo bundles, and
 *                               ZERO confirmations (an automining node mines only on transactions)
 *   ecosystem.prod.config.cjs   nothing assumed: every required variable must be set, and loading the file fails
 *                               naming each missing one and what it is; confirmations and retries keep the workers'
 *                               safe defaults (workers/config/*.ts)
 *
 * Every variable set in the environment wins over a preset's default. Each app gets its own METRICS_PORT for /health
 * and /metrics, from METRICS_PORT_BASE (default 9460): listener +0, executors +10 + instance, sender +20, provers +30
 * + instance, verification nodes +40 + instance (the explorer serves on EXPLORER_PORT, 8090). A worker that refuses
 * its configuration exits with 78 and pm2 does not restart it (stop_exit_codes).
 */
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");

/** Every variable a role cannot start without, and what it is (named when missing in prod). */
const REQUIRED = {
  REDIS_URL: "the Redis all workers share (redis://[user:password@]host:6379); configure it durable: appendonly yes, maxmemory-policy noeviction",
  RPC_URL: "the chain's JSON-RPC endpoint (https://…)",
  CHAIN_ID: "the chain id the RPC must answer with",
  HUB_ADDRESS: "the InferenceHub (deployments/<chainId>.json: contracts.inferenceHub)",
  MODEL_REGISTRY_ADDRESS: "the hub's ModelRegistry (deployments/<chainId>.json: contracts.modelRegistry)",
  MODEL_STORE_DIR: "folder of the registered ONNX models (<keccak256>.onnx files or model bundles)",
  SENDER_PRIVATE_KEYS: "comma-separated keys of the staked executor nodes the sender sends for",
  BUNDLE_DIRS: "comma-separated folders holding the registered models' bundles",
  PROOF_STORE_DIR: "folder where the prover keeps its proofs (served at /proofs/<hash>)",
  NODE_REGISTRY_ADDRESS: "the hub's NodeRegistry (deployments/<chainId>.json: contracts.nodeRegistry)",
};
const COMMON = ["REDIS_URL", "RPC_URL", "CHAIN_ID", "HUB_ADDRESS"];

/** Number of comma-separated keys in a variable (0 when unset). */
const keyCount = (v) => (v ? v.split(",").filter((k) => k.trim()).length : 0);

/**
 * The roles. A proof-path role runs one instance per key listed in its key variable (instance i takes key i) and is
 * left out when no key is set; its required variables are checked only then.
 */
const ROLES = [
  { name: "listener", script: "workers/listener/main.ts", port: 0, required: [], instances: () => 1 },
  { name: "executor", script: "workers/executor/main.ts", port: 10, required: ["MODEL_REGISTRY_ADDRESS", "MODEL_STORE_DIR"], instances: (env) => Number(env.EXECUTOR_INSTANCES || 2) },
  { name: "sender", script: "workers/sender/main.ts", port: 20, required: ["SENDER_PRIVATE_KEYS"], instances: () => 1 },
  {
    name: "prover",
    script: "workers/prover/main.ts",
    port: 30,
    key: "PROVER_PRIVATE_KEY",
    required: ["MODEL_REGISTRY_ADDRESS", "BUNDLE_DIRS", "PROOF_STORE_DIR"],
    instances: (env) => Number(env.PROVER_INSTANCES ?? keyCount(env.PROVER_PRIVATE_KEY)),
    // in-flight proofs finish before the process exits (workers/prover/main.ts waits up to two minutes)
    kill_timeout: 130_000,
  },
  {
    name: "verifier",
    script: "workers/verifier-node/main.ts",
    port: 40,
    key: "VERIFIER_PRIVATE_KEY",
    required: ["MODEL_REGISTRY_ADDRESS", "BUNDLE_DIRS"],
    instances: (env) => Number(env.VERIFIER_INSTANCES ?? keyCount(env.VERIFIER_PRIVATE_KEY)),
  },
  // the explorer page (explorer/README.md), on EXPLORER_PORT (default 8090): started when NODE_REGISTRY_ADDRESS is set
  { name: "explorer", script: "explorer/main.ts", port: 50, required: ["MODEL_REGISTRY_ADDRESS", "NODE_REGISTRY_ADDRESS"], instances: (env) => Number(env.EXPLORER_INSTANCES ?? (env.NODE_REGISTRY_ADDRESS ? 1 : 0)) },
];

/** Hardhat's development mnemonic (public: never use these accounts on a real chain). */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const devKeys = (indices) => {
  const { mnemonicToAccount } = require("viem/accounts");
  const { toHex } = require("viem");
  return indices.map((addressIndex) => toHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex }).getHdKey().privateKey)).join(",");
};

/** The dev preset's defaults: a local node, local Redis, the last local deployment, the devnet's staked accounts. */
function devDefaults(env) {
  const chainId = env.CHAIN_ID || "31337";
  const defaults = {
    REDIS_URL: "redis://127.0.0.1:6379",
    RPC_URL: "http://127.0.0.1:8545",
    CHAIN_ID: chainId,
    QUEUE_PREFIX: "twinpath-dev",
    LISTENER_CONFIRMATIONS: "0",
    VERIFIER_CONFIRMATIONS: "0",
    LISTENER_POLL_INTERVAL_MS: "250",
    VERIFIER_POLL_INTERVAL_MS: "250",
    MODEL_STORE_DIR: path.join(root, "models"),
    BUNDLE_DIRS: ["iris-mlp", "iris-deep", "iris-cnn"].map((m) => path.join(root, "models", m, "bundle")).join(","),
    PROOF_STORE_DIR: path.join(root, ".twinpath", "proofs"),
    PROVING_KEY_CACHE_DIR: path.join(root, ".twinpath", "keys"),
  };
  const deployment = path.join(root, "deployments", `${chainId}.json`);
  if (existsSync(deployment)) {
    const d = JSON.parse(readFileSync(deployment, "utf8"));
    defaults.HUB_ADDRESS = d.contracts.inferenceHub;
    defaults.MODEL_REGISTRY_ADDRESS = d.contracts.modelRegistry;
    defaults.NODE_REGISTRY_ADDRESS = d.contracts.nodeRegistry;
  }
  if (chainId === "31337") {
    defaults.SENDER_PRIVATE_KEYS = devKeys([1]);
    defaults.PROVER_PRIVATE_KEY = devKeys([5]);
    defaults.VERIFIER_PRIVATE_KEY = devKeys([10, 11, 12]);
  }
  return defaults;
}

/** Every variable name a preset may fill in, so a value from the environment always wins. */
const KNOWN = (defaults) => [...new Set([...Object.keys(REQUIRED), ...Object.keys(defaults), ...ROLES.map((r) => r.key).filter(Boolean)])];

/**
 * The pm2 ecosystem object of `preset` ("dev" or "prod") over `environment`. Throws, naming every missing required
 * variable per role, when a started role could not start.
 */
function ecosystem(preset, environment = process.env) {
  if (preset !== "dev" && preset !== "prod") throw new Error(`unknown preset ${JSON.stringify(preset)}: dev or prod`);
  const defaults = preset === "dev" ? devDefaults(environment) : {};
  const env = { ...defaults };
  for (const name of KNOWN(defaults)) if (environment[name] !== undefined && environment[name] !== "") env[name] = environment[name];
  /** missing variable -> the roles that need it */
  const missing = new Map();
  const apps = [];
  for (const role of ROLES) {
    const merged = { ...environment, ...env };
    const instances = role.instances(merged);
    if (!(instances > 0)) continue;
    for (const name of [...COMMON, ...role.required]) if (!env[name]) missing.set(name, [...(missing.get(name) ?? []), role.name]);
    apps.push({
      name: role.name,
      script: role.script,
      cwd: root,
      interpreter: path.join(root, "node_modules", ".bin", "node"),
      interpreter_args: "--import tsx",
      exec_mode: "fork", // cluster mode needs pm2's own node; fork mode scales the same way with `pm2 scale`
      instances,
      instance_var: "NODE_APP_INSTANCE",
      kill_timeout: role.kill_timeout ?? 20_000, // graceful shutdown: worker.close() finishes in-flight jobs
      autorestart: true,
      stop_exit_codes: [78], // a refused configuration stays stopped until it is fixed
      max_restarts: 50,
      exp_backoff_restart_delay: 200,
      merge_logs: true,
      time: false, // logs are JSON with their own timestamp
      env: { ...env, METRICS_PORT: String(Number(environment.METRICS_PORT_BASE || 9460) + role.port) },
    });
  }
  if (missing.size) {
    const lines = [...missing].map(([name, roles]) => `  ${name} (${roles.join(", ")}): ${REQUIRED[name]}`);
    const hint =
      preset === "dev" && missing.has("HUB_ADDRESS")
        ? `\nNo deployments/${env.CHAIN_ID}.json to take the addresses from: deploy first (npx hardhat run scripts/deploy.ts --network localhost).`
        : preset === "prod"
          ? "\nThe prover and the verification nodes start only when PROVER_PRIVATE_KEY / VERIFIER_PRIVATE_KEY are set; they also need MODEL_REGISTRY_ADDRESS, BUNDLE_DIRS and (prover) PROOF_STORE_DIR."
          : "";
    throw new Error(`ecosystem.${preset}.config.cjs: ${missing.size} required variable(s) not set (see workers/README.md):\n${lines.join("\n")}${hint}`);
  }
  return { apps };
}

module.exports = { ecosystem, REQUIRED, ROLES, HARDHAT_MNEMONIC };
