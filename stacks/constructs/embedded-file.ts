import { ConfigError } from '../../lib/errors.ts';

/**
 * A template or definition embedded in the plan byte for byte. Terraform would treat `${` and `%{`
 * in a JSON string as its own template syntax and change the text, so such files are refused
 * rather than silently altered.
 */
export function embedVerbatim(path: string, text: string): string {
  const at = text.search(/[$%]\{/);
  if (at >= 0) {
    throw new ConfigError(`${path} contains "${text.slice(at, at + 2)}" at offset ${at}, which Terraform would interpolate; the plan could not embed it unchanged.`, {
      context: { path },
    });
  }
  return text;
}
