/**
 * pm2, prod preset: every required variable comes from the environment (loading fails naming each missing one);
 * confirmations, retries and timeouts keep the workers' safe defaults. See workers/pm2/ecosystem.cjs and the
 * operator guide in workers/README.md.
 *
 *   npx pm2 start ecosystem.prod.config.cjs
 *   npx pm2 scale executor 4
 */
module.exports = require("./workers/pm2/ecosystem.cjs").ecosystem("prod");
