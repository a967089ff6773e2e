/**
 * pm2, dev preset: the workers against a local chain and Redis, zero confirmations (an automining `hardhat node`
 * mines only on transactions), Hardhat's public test accounts as node keys. See workers/pm2/ecosystem.cjs.
 *
 *   npx hardhat node                                            # terminal 1 (or `twinpath dev up`)
 *   npx hardhat run scripts/deploy.ts --network localhost       # writes deployments/31337.json, read here
 *   npx pm2 start ecosystem.dev.config.cjs
 */
module.exports = require("./workers/pm2/ecosystem.cjs").ecosystem("dev");
