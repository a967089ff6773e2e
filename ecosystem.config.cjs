/**
 * pm2 process file: the prod preset (ecosystem.prod.config.cjs); ecosystem.dev.config.cjs runs against a local
 * chain. Both are built by workers/pm2/ecosystem.cjs: one process per worker role, on the project's Node 22 with tsx.
 *
 *   pm2 start ecosystem.config.cjs          # reads the environment of this shell (workers/README.md lists it)
 *   pm2 scale executor 4                    # more execution workers (stateless; any number, any machine)
 *   pm2 logs executor                       # JSON logs
 *   pm2 stop all / pm2 delete all           # SIGINT, then SIGKILL after kill_timeout: jobs in flight finish
 */
module.exports = require("./workers/pm2/ecosystem.cjs").ecosystem("prod");
