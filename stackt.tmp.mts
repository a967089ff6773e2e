import { startHardhatNode } from "./devnet/hardhatNode.ts";
import { deployProtocol } from "./devnet/deploy.ts";
import { spawnWorker } from "./devnet/processes.ts";
let t = Date.now(); const lap = (m: string) => { console.log(m, Date.now() - t); t = Date.now(); };
const node = await startHardhatNode(); lap("node");
const d = await deployProtocol(node.url); lap("deploy");
const w = spawnWorker("listener", { RPC_URL: node.url, CHAIN_ID: "31337", HUB_ADDRESS: d.inferenceHub, REDIS_URL: "redis://127.0.0.1:1" }, { name: "x" });
await w.waitForLog((l) => { if (Date.now()-t < 100000) {} ; return true; }, 60000).catch(()=>{}); lap("worker first log");
await w.stop(); await node.stop(); lap("stop");
