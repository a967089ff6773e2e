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
