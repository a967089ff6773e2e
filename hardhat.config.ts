import { createRequire } from "node:module";

import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

// solc comes from the npm `solc` package so nothing is downloaded at compile time
// (this project must build offline). `path` must be the same version as `version`.
const require = createRequire(import.meta.url);
const SOLC_VERSION = "0.8.28";
const solcJs = require.resolve("solc/soljson.js");
const solcPkgVersion: string = require("solc/package.json").version;
if (solcPkgVersion !== SOLC_VERSION) {
  throw new Error(`npm solc is ${solcPkgVersion}, hardhat.config.ts expects ${SOLC_VERSION}: run npm ci`);
}

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: solcJs,
        settings: { optimizer: { enabled: true, runs: 200 }, viaIR: false },
      },
      // Same optimizer settings as default: InferenceHub sits close to the 24 KiB code-size limit, and
      // a higher `runs` pushes it over (Ignition's CLI compiles with this profile).
      production: {
        version: SOLC_VERSION,
        path: solcJs,
        settings: { optimizer: { enabled: true, runs: 200 } },
      },
    },
  },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // A real network: RPC URL and key come from config variables (env or the
    // hardhat keystore), never from the repository.
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("TWINPATH_RPC_URL"),
      accounts: [configVariable("TWINPATH_DEPLOYER_KEY")],
    },
  },
});
