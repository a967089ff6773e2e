import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadExecutorConfig } from "../../workers/config/executor.js";
import { loadListenerConfig } from "../../workers/config/listener.js";
import { loadSenderConfig } from "../../workers/config/sender.js";
import { ConfigError } from "../../workers/shared/errors.js";
import { spawnWorker } from "../../devnet/processes.js";

const good = {
  REDIS_URL: "redis://127.0.0.1:6379",
  RPC_URL: "http://127.0.0.1:8545",
  CHAIN_ID: "31337",
  HUB_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
};

describe("worker configuration", () => {
  it("parses a valid environment into a frozen typed object with defaults", () => {
    const c = loadListenerConfig({ ...good, LISTENER_CONFIRMATIONS: "0" });
    assert.equal(c.CHAIN_ID, 31337);
    assert.equal(c.LISTENER_CONFIRMATIONS, 0);
    assert.equal(c.LISTENER_PAGE_SIZE, 2000);
    assert.equal(c.QUEUE_PREFIX, "twinpath");
    assert.ok(Object.isFrozen(c));
    const s = loadSenderConfig({ ...good, SENDER_PRIVATE_KEYS: `0x${"11".repeat(32)}, 0x${"22".repeat(32)}` });
    assert.equal(s.SENDER_PRIVATE_KEYS.length, 2);
  });

  it("names every bad variable in one error", () => {
    assert.throws(
      () => loadExecutorConfig({ ...good, RPC_URL: "localhost:8545", CHAIN_ID: "abc", EXECUTOR_CONCURRENCY: "0", HUB_ADDRESS: "0x1234" }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const vars = err.issues.map((i) => i.variable).sort();
        assert.deepEqual(vars, ["CHAIN_ID", "EXECUTOR_CONCURRENCY", "HUB_ADDRESS", "MODEL_REGISTRY_ADDRESS", "MODEL_STORE_DIR", "RPC_URL"]);
        assert.match(err.message, /MODEL_STORE_DIR: required/);
        assert.match(err.message, /EXECUTOR_CONCURRENCY: must be >= 1/);
        return true;
      },
    );
  });

  it("never prints a private key it refuses", () => {
    const secret = `0x${"ab".repeat(31)}`;
    assert.throws(
      () => loadSenderConfig({ ...good, SENDER_PRIVATE_KEYS: secret }),
      (err: Error) => /SENDER_PRIVATE_KEYS: every key must be/.test(err.message) && !err.message.includes(secret),
    );
  });

  for (const role of ["listener", "executor", "sender"] as const) {
    it(`${role} process refuses to start on malformed config: exit code 78 and the variable named on stderr`, async () => {
      const w = spawnWorker(role, { ...good, REDIS_URL: "http://not-redis", CHAIN_ID: "-5" });
      const { code } = await w.exited;
      assert.equal(code, 78);
      assert.match(w.stderr(), new RegExp(`Invalid ${role} configuration`));
      assert.match(w.stderr(), /REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
      assert.match(w.stderr(), /CHAIN_ID: must be >= 1/);
    });
  }
});
