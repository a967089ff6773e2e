import { z } from "zod";
import { ConfigError } from "../shared/errors.js";

/**
 * Parses the environment once with a zod object whose keys are the variable names, and returns a frozen copy.
 * Every bad variable is reported at once, by name, in one ConfigError.
 */
export function parseEnv<S extends z.ZodRawShape>(role: string, shape: S, env: NodeJS.ProcessEnv): Readonly<z.infer<z.ZodObject<S>>> {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    // An empty variable means "not set" (pm2 and shells often pass empty strings).
    picked[key] = value === undefined || value.trim() === "" ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(picked);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "(env)");
      const given = picked[variable];
      const shown = given === undefined ? "not set" : /KEY/.test(variable) ? "given value hidden" : JSON.stringify(given);
      return { variable, message: `${issue.message} (${shown})` };
    });
    throw new ConfigError(role, issues);
  }
  return Object.freeze(result.data);
}
