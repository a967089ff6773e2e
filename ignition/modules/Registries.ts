import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * ModelRegistry and NodeRegistry. The NodeRegistry's admin (owner) is the deployer unless `admin` is set; the hub
 * is wired in by Hub.ts (`setHub`, once, from the admin account — so `admin` must be the deploying account when
 * the full Twinpath module is deployed).
 *
 * Parameters (module id "Registries"): minStakeExecutor, minStakeProver, minStakeVerifier (wei), unbondingDelay (s).
 */
export default buildModule("Registries", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const minStakeExecutor = m.getParameter("minStakeExecutor", 10n ** 17n); // 0.1 ether
  const minStakeProver = m.getParameter("minStakeProver", 10n ** 17n);
  const minStakeVerifier = m.getParameter("minStakeVerifier", 10n ** 17n);
  // must exceed the hub's longestWindow() (8 days and 10 minutes with the hub's default parameters)
  const unbondingDelay = m.getParameter("unbondingDelay", 14n * 24n * 3600n); // 14 days

  const modelRegistry = m.contract("ModelRegistry");
  const nodeRegistry = m.contract("NodeRegistry", [
    admin,
    [minStakeExecutor, minStakeProver, minStakeVerifier],
    unbondingDelay,
  ]);
  return { modelRegistry, nodeRegistry };
});
