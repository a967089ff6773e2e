/**
 * Child processes (Hardhat node, Redis, workers) a test or dev stack started must not outlive this process. One
 * `exit` listener kills them all: a listener per child went past Node's 10-listener warning as soon as a stack had
 * more than ten processes alive.
 */
const onExit = new Set<() => void>();
let installed = false;

/** Runs `kill` (synchronously) if this process exits before the returned function is called to forget it. */
export function killOnExit(kill: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once("exit", () => {
      for (const k of onExit) k();
    });
  }
  onExit.add(kill);
  return () => void onExit.delete(kill);
}
