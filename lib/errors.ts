/**
 * Base class for every error the kit raises on purpose. `code` is stable (tests, logs and JSON
 * bodies match on it); `context` carries what a reader needs to act (a URL, a file, a queue).
 */
export class KitError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown>;

  constructor(code: string, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** A setting (environment variable, flag, outputs file) is missing or invalid. */
export class ConfigError extends KitError {
  constructor(message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super('CONFIG_INVALID', message, options);
  }
}
