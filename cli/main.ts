// Entry point of `twinpath` (bin/twinpath.mjs runs it under the project's Node 22 with tsx): cli/program.ts.
import { main } from "./program.js";

process.exit(await main());
