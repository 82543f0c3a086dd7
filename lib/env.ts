import { ConfigError } from './errors.ts';

type Env = Record<string, string | undefined>;

/** A required environment variable, read once; fails fast with the variable's name. */
export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Environment variable ${name} is required but not set.`, { context: { name } });
  }
  return value;
}

/** An optional environment variable with a default. */
export function optionalEnv(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value;
}

/** An integer environment variable within [min, max], with a default. */
export function intEnv(name: string, fallback: number, range: { min: number; max: number }, env: Env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(`Environment variable ${name} must be an integer from ${range.min} to ${range.max}; got "${raw}".`, {
      context: { name, raw },
    });
  }
  return value;
}
