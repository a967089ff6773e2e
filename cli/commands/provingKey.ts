/** Where the CLI keeps proving keys it derives for bundles that ship without one: `<home>/keys` (compiler/provingKey.ts). */
import { join } from "node:path";
import { ensureProvingKey, type ProvingKeyBundle } from "../../compiler/provingKey.js";

export function ensureBundleProvingKey(dir: string, home: string, onDerive?: () => void): ProvingKeyBundle {
  return ensureProvingKey(dir, join(home, "keys"), onDerive);
}
