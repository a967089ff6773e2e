/** Errors of the lowering step (the calibration and bundle steps extend CompileError). */

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompileError";
  }
}

export class UnsupportedOpError extends CompileError {
  constructor(public op: string, public node: string, detail: string | undefined, supported: readonly string[]) {
    super(`unsupported ONNX op '${op}' at node '${node}'${detail ? ` (${detail})` : ""}. Supported ops: ${supported.join(", ")}`);
    this.name = "UnsupportedOpError";
  }
}

/** Control flow has data-dependent paths; a circuit proves one fixed computation. */
export const CONTROL_FLOW_OPS = ["If", "Loop", "Scan"] as const;
const CONTROL_FLOW_REMEDY =
  "control flow: a circuit proves one fixed computation, so export the model without data-dependent branches or loops " +
  "(torch.onnx.export with static input shapes and fixed sequence lengths, loops unrolled, no scripted if/while; " +
  "for recurrent nets export the unrolled cell or use the ONNX RNN/GRU/LSTM ops)";

/** Every op of a model the compiler cannot lower, found before any lowering, reported at once. */
export class UnsupportedOpsError extends UnsupportedOpError {
  constructor(public ops: { op: string; nodes: string[]; detail?: string }[], supported: readonly string[]) {
    super(ops[0].op, ops[0].nodes[0], undefined, supported);
    const list = ops.map(({ op, nodes, detail }) => {
      const where = nodes.length === 1 ? `node '${nodes[0]}'` : `nodes ${nodes.slice(0, 5).map((n) => `'${n}'`).join(", ")}${nodes.length > 5 ? ` and ${nodes.length - 5} more` : ""}`;
      const why = (CONTROL_FLOW_OPS as readonly string[]).includes(op) ? CONTROL_FLOW_REMEDY : detail;
      return `'${op}' at ${where}${why ? ` (${why})` : ""}`;
    });
    this.message = `the model uses ${ops.length} ONNX op${ops.length > 1 ? "s" : ""} this compiler does not lower: ${list.join("; ")}. Supported ops: ${supported.join(", ")}`;
    this.name = "UnsupportedOpError";
  }
}
