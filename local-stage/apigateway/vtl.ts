import { JSONPath } from 'jsonpath-plus';
import { Compile, parse } from 'velocityjs';
import { KitError } from '../../lib/errors.ts';
import { JAVA_METHOD_HANDLER } from './java-methods.ts';

/**
 * API Gateway mapping templates (REST APIs) rendered with velocityjs, with the variables API Gateway
 * provides: `$input`, `$util`, `$context`, `$stageVariables`. Method calls follow Java semantics (see
 * java-methods.ts); anything not emulated is an error, never silent text.
 */

/**
 * The request parameters a template sees through `$input.params()`. Path values are the segment as
 * the client sent it, percent-encoded (what API Gateway hands on; docs/aws-fidelity.md).
 */
export interface TemplateParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

/** `$context`: the subset of API Gateway's context variables the local gateway knows. */
export interface TemplateContext {
  requestId: string;
  extendedRequestId: string;
  accountId: string;
  apiId: string;
  httpMethod: string;
  resourceId: string;
  resourcePath: string;
  path: string;
  stage: string;
  protocol: string;
  domainName: string;
  requestTime: string;
  requestTimeEpoch: number;
  identity: { sourceIp: string; userAgent: string | null };
}

export interface TemplateRequest {
  params: TemplateParams;
  /** The payload: the method request body (request templates) or the integration response body. */
  body: string;
  context: TemplateContext;
  stageVariables: Record<string, string>;
}

export interface RenderedTemplate {
  body: string;
  /** `$context.responseOverride.status`, if the template set it. */
  statusOverride: number | undefined;
  /** `$context.responseOverride.header.*`. */
  headerOverrides: Record<string, string>;
}

export class TemplateRenderError extends KitError {
  constructor(template: string, cause: unknown) {
    super('VTL_RENDER_FAILED', `mapping template ${template} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      context: { template },
    });
  }
}

const HEX = (code: number, digits: number) => code.toString(16).toUpperCase().padStart(digits, '0');
const CONTROL_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
const CHAR_ESCAPES: Record<string, string> = { "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };

/**
 * `$util.escapeJavaScript`: Apache Commons' StringEscapeUtils.escapeJavaScript, per UTF-16 unit.
 * Non-ASCII becomes `\uXXXX`; `'` becomes `\'`, which is not valid JSON (templates undo it).
 */
export function escapeJavaScript(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) out += `\\u${HEX(code, 4)}`;
    else if (code < 32) out += CONTROL_ESCAPES[code] ?? `\\u${HEX(code, 4)}`;
    else out += CHAR_ESCAPES[value[i]!] ?? value[i];
  }
  return out;
}

/** `$util.urlEncode`: java.net.URLEncoder with UTF-8 (space as `+`, `*` kept, `~!'()` encoded). */
export function urlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (ch) => `%${HEX(ch.charCodeAt(0), 2)}`)
    .replace(/%20/g, '+');
}

/** java.lang.IllegalArgumentException from java.net.URLDecoder (a template calling it fails). */
export class UrlDecodeError extends KitError {
  constructor(message: string, value: string) {
    super('VTL_URL_DECODE_FAILED', `IllegalArgumentException: URLDecoder: ${message}`, { context: { value: value.slice(0, 200) } });
  }
}

/** Java's Integer.parseInt(s, 16) for a two-character `s` (a leading sign is accepted, as in Java). */
function parseHexPair(pair: string): number {
  if (!/^[+-]?[0-9A-Fa-f]+$/.test(pair) || pair.length !== 2 || /^[+-]$/.test(pair)) return Number.NaN;
  return Number.parseInt(pair, 16);
}

const UTF8 = new TextDecoder('utf-8'); // not fatal: bytes that are not UTF-8 become U+FFFD, as Java's new String(bytes, UTF_8)

/**
 * `$util.urlDecode`: java.net.URLDecoder.decode(value, "UTF-8"), i.e. application/x-www-form-urlencoded
 * semantics: `+` is a space, `%XY` runs are UTF-8 bytes (not UTF-8: U+FFFD each), every other character
 * is kept. A `%` not followed by two hex digits throws IllegalArgumentException ("Illegal hex characters
 * in escape (%) pattern" / "Incomplete trailing escape (%) pattern"), as the JDK does.
 */
export function urlDecode(value: string): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i]!;
    if (ch === '+') {
      out += ' ';
      i++;
    } else if (ch === '%') {
      const bytes: number[] = [];
      while (i + 2 < value.length && value[i] === '%') {
        const v = parseHexPair(value.slice(i + 1, i + 3));
        if (Number.isNaN(v)) throw new UrlDecodeError(`Illegal hex characters in escape (%) pattern - ${value.slice(i + 1, i + 3)}`, value);
        if (v < 0) throw new UrlDecodeError('Illegal hex characters in escape (%) pattern - negative value', value);
        bytes.push(v);
        i += 3;
      }
      if (i < value.length && value[i] === '%') throw new UrlDecodeError('Incomplete trailing escape (%) pattern', value);
      out += UTF8.decode(Uint8Array.from(bytes));
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** `$util`. */
export class TemplateUtil {
  escapeJavaScript(value: unknown): string {
    return escapeJavaScript(String(value));
  }
  urlEncode(value: unknown): string {
    return urlEncode(String(value));
  }
  urlDecode(value: unknown): string {
    return urlDecode(String(value));
  }
  parseJson(value: unknown): unknown {
    return JSON.parse(String(value));
  }
  base64Encode(value: unknown): string {
    return Buffer.from(String(value), 'utf8').toString('base64');
  }
  base64Decode(value: unknown): string {
    return Buffer.from(String(value), 'base64').toString('utf8');
  }
}

const INDEFINITE_PATH = /\*|\.\.|\[\?|\[[^\]]*[,:]/;

/** `$input`. */
export class TemplateInput {
  readonly body: string;
  readonly #params: TemplateParams;
  #parsed: { value: unknown } | undefined;

  constructor(body: string, params: TemplateParams) {
    this.body = body;
    this.#params = params;
  }

  /** All parameters as a map of maps, or one by name: path first, then query string, then header. */
  params(name?: unknown): unknown {
    if (name === undefined) {
      const { path, querystring, header } = this.#params;
      return { path: { ...path }, querystring: { ...querystring }, header: { ...header } };
    }
    const key = String(name);
    const { path, querystring, header } = this.#params;
    if (Object.hasOwn(path, key)) return path[key];
    if (Object.hasOwn(querystring, key)) return querystring[key];
    const headerKey = Object.keys(header).find((h) => h.toLowerCase() === key.toLowerCase());
    return headerKey === undefined ? '' : header[headerKey];
  }

  /** The JSONPath's value as an object (Map, List, String, Number); a list for indefinite paths. */
  path(jsonPath: unknown): unknown {
    const expression = String(jsonPath);
    const matches = JSONPath({ path: expression, json: this.#json() as object, wrap: true }) as unknown[];
    return INDEFINITE_PATH.test(expression) ? matches : matches[0];
  }

  /** The JSONPath's value serialized as JSON. */
  json(jsonPath: unknown): string {
    const value = this.path(jsonPath);
    return value === undefined ? '' : JSON.stringify(value);
  }

  #json(): unknown {
    if (!this.#parsed) {
      const text = this.body.trim();
      this.#parsed = { value: text === '' ? {} : JSON.parse(text) };
    }
    return this.#parsed.value;
  }
}

/** A template parsed once, rendered per request. */
export class VtlTemplate {
  readonly name: string;
  readonly #asts: ReturnType<typeof parse>;

  constructor(text: string, name: string) {
    this.name = name;
    try {
      this.#asts = parse(text);
    } catch (error) {
      throw new TemplateRenderError(name, error);
    }
  }

  render(request: TemplateRequest): RenderedTemplate {
    const responseOverride: { status?: unknown; header: Record<string, unknown> } = { header: {} };
    const variables = {
      input: new TemplateInput(request.body, request.params),
      util: new TemplateUtil(),
      context: { ...request.context, identity: { ...request.context.identity }, responseOverride },
      stageVariables: { ...request.stageVariables },
    };
    let body: string;
    try {
      // env 'development' makes velocityjs throw on a property of an undefined reference.
      body = new Compile(this.#asts, { customMethodHandlers: [JAVA_METHOD_HANDLER], env: 'development' }).render(variables);
    } catch (error) {
      throw new TemplateRenderError(this.name, error);
    }
    const status = responseOverride.status;
    const statusOverride = status === undefined || status === null || status === '' ? undefined : Number(status);
    if (statusOverride !== undefined && !(Number.isInteger(statusOverride) && statusOverride >= 100 && statusOverride <= 599)) {
      throw new TemplateRenderError(this.name, new Error(`$context.responseOverride.status is not an HTTP status: ${String(status)}`));
    }
    const headerOverrides = Object.fromEntries(Object.entries(responseOverride.header).map(([k, v]) => [k, String(v)]));
    return { body, statusOverride, headerOverrides };
  }
}
