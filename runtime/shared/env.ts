/** Environment variables as a plain map, so every reader can be given a fake environment in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value of `name`, or undefined when it is unset or blank. */
export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function requireEnv(env: Env, name: string): string {
  const value = optionalEnv(env, name);
  if (value === undefined) throw new Error(`environment variable ${name} is required`);
  return value;
}

/** An integer variable with a default and inclusive bounds; a malformed value is a configuration error. */
export function intEnv(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`environment variable ${name} must be a non-negative integer`);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) {
    throw new Error(`environment variable ${name} must be between ${bounds.min} and ${bounds.max}`);
  }
  return value;
}
