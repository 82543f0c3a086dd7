import { KitError } from '../../lib/errors.ts';

/**
 * API Gateway renders templates with Apache Velocity on the JVM: `$breed.length()` calls
 * java.lang.String#length. velocityjs runs on JavaScript values and, left alone, prints an unknown
 * method call as literal text. This module answers every method call in a template with the Java
 * semantics of the receiver's type (String, Number, Boolean, List, Map) and throws
 * UnsupportedTemplateMethodError for anything it does not emulate, so a template that would behave
 * differently on AWS fails loudly here instead of rendering plausible text.
 */
export class UnsupportedTemplateMethodError extends KitError {
  constructor(receiver: string, method: string) {
    super('VTL_UNSUPPORTED_METHOD', `the local VTL renderer does not emulate ${receiver}.${method}(); add it to local-stage/apigateway/java-methods.ts if API Gateway supports it`, {
      context: { receiver, method },
    });
  }
}

/** A Java method threw (StringIndexOutOfBoundsException, PatternSyntaxException, ...). */
export class JavaMethodError extends KitError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('VTL_JAVA_EXCEPTION', message, { context });
  }
}

type Method = (...args: unknown[]) => unknown;

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new JavaMethodError(`${what} must be an int; got ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new JavaMethodError(`${what} must be a String; got ${JSON.stringify(value)}`);
  return value;
}

/** A java.util.regex pattern as a JavaScript RegExp; Java-only syntax is refused, not mistranslated. */
export function javaRegex(pattern: string, flags = ''): RegExp {
  let source = pattern;
  let allFlags = flags;
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    allFlags += 'i';
  }
  if (/\\[QEAZzGp]|\(\?[a-zA-Z]|[*+?}]\+/.test(source)) {
    throw new UnsupportedTemplateMethodError('java.util.regex.Pattern', `compile(${JSON.stringify(pattern)})`);
  }
  try {
    return new RegExp(source, allFlags);
  } catch (error) {
    throw new JavaMethodError(`invalid regex ${JSON.stringify(pattern)}: ${String(error)}`);
  }
}

/** Java's Matcher replacement syntax (`$0`, `$1`, `${name}`, `\$`) in JavaScript's (`$&`, `$1`, `$<name>`, `$$`). */
export function javaReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\') {
      i++;
      if (i >= replacement.length) throw new JavaMethodError('character to be escaped is missing in a replacement string');
      out += replacement[i] === '$' ? '$$' : replacement[i];
    } else if (ch === '$') {
      const group = /^(\d+|\{[A-Za-z][A-Za-z0-9]*\})/.exec(replacement.slice(i + 1));
      if (!group) throw new JavaMethodError(`illegal group reference in replacement ${JSON.stringify(replacement)}`);
      const ref = group[1]!;
      out += ref.startsWith('{') ? `$<${ref.slice(1, -1)}>` : ref === '0' ? '$&' : `$${ref}`;
      i += group[1]!.length;
    } else {
      out += ch;
    }
  }
  return out;
}

function substring(self: string, begin: unknown, end?: unknown): string {
  const b = int(begin, 'beginIndex');
  const e = end === undefined ? self.length : int(end, 'endIndex');
  if (b < 0 || e > self.length || b > e) {
    throw new JavaMethodError(`StringIndexOutOfBoundsException: begin ${b}, end ${e}, length ${self.length}`);
  }
  return self.slice(b, e);
}

function split(self: string, regex: unknown, limit?: unknown): string[] {
  const max = limit === undefined ? 0 : int(limit, 'limit');
  const re = javaRegex(str(regex, 'regex'), 'g');
  const parts: string[] = [];
  let last = 0;
  for (const match of self.matchAll(re)) {
    if (max > 0 && parts.length === max - 1) break;
    // Java never yields a leading empty string for a zero-width match at the start.
    if (match[0].length === 0 && match.index === 0) continue;
    parts.push(self.slice(last, match.index));
    last = match.index + match[0].length;
  }
  parts.push(self.slice(last));
  if (max === 0) while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const STRING_METHODS: Record<string, (self: string, ...args: unknown[]) => unknown> = {
  length: (self) => self.length,
  isEmpty: (self) => self.length === 0,
  charAt: (self, index) => {
    const i = int(index, 'index');
    if (i < 0 || i >= self.length) throw new JavaMethodError(`StringIndexOutOfBoundsException: index ${i}, length ${self.length}`);
    return self[i];
  },
  substring,
  indexOf: (self, target, from) => self.indexOf(str(target, 'str'), from === undefined ? 0 : int(from, 'fromIndex')),
  lastIndexOf: (self, target) => self.lastIndexOf(str(target, 'str')),
  contains: (self, target) => self.includes(str(target, 's')),
  startsWith: (self, prefix, offset) => self.startsWith(str(prefix, 'prefix'), offset === undefined ? 0 : int(offset, 'toffset')),
  endsWith: (self, suffix) => self.endsWith(str(suffix, 'suffix')),
  equals: (self, other) => self === other,
  equalsIgnoreCase: (self, other) => typeof other === 'string' && self.toLowerCase() === other.toLowerCase(),
  toLowerCase: (self) => self.toLowerCase(),
  toUpperCase: (self) => self.toUpperCase(),
  trim: (self) => self.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, ''),
  concat: (self, other) => self + str(other, 'str'),
  toString: (self: string) => self,
  replace: (self, target, replacement) => self.split(String(target)).join(String(replacement)),
  replaceAll: (self, regex, replacement) =>
    self.replace(javaRegex(str(regex, 'regex'), 'g'), javaReplacement(str(replacement, 'replacement'))),
  replaceFirst: (self, regex, replacement) =>
    self.replace(javaRegex(str(regex, 'regex')), javaReplacement(str(replacement, 'replacement'))),
  matches: (self, regex) => javaRegex(`^(?:${str(regex, 'regex')})$`).test(self),
  split,
};

const NUMBER_METHODS: Record<string, (self: number, ...args: unknown[]) => unknown> = {
  toString: (self: number) => String(self),
  intValue: (self) => Math.trunc(self),
  longValue: (self) => Math.trunc(self),
  doubleValue: (self) => self,
  equals: (self, other) => self === other,
};

const BOOLEAN_METHODS: Record<string, (self: boolean, ...args: unknown[]) => unknown> = {
  toString: (self: boolean) => String(self),
  booleanValue: (self) => self,
  equals: (self, other) => self === other,
};

function listIndex(self: unknown[], index: unknown): number {
  const i = int(index, 'index');
  if (i < 0 || i >= self.length) throw new JavaMethodError(`IndexOutOfBoundsException: index ${i}, size ${self.length}`);
  return i;
}

const LIST_METHODS: Record<string, (self: unknown[], ...args: unknown[]) => unknown> = {
  size: (self) => self.length,
  isEmpty: (self) => self.length === 0,
  get: (self, index) => self[listIndex(self, index)],
  contains: (self, value) => self.includes(value),
  indexOf: (self, value) => self.indexOf(value),
  subList: (self, from, to) => self.slice(int(from, 'fromIndex'), int(to, 'toIndex')),
  add: (self, value) => {
    self.push(value);
    return true;
  },
};

type JavaMap = Record<string, unknown>;
const MAP_METHODS: Record<string, (self: JavaMap, ...args: unknown[]) => unknown> = {
  size: (self) => Object.keys(self).length,
  isEmpty: (self) => Object.keys(self).length === 0,
  get: (self, key) => (Object.hasOwn(self, String(key)) ? self[String(key)] : null),
  containsKey: (self, key) => Object.hasOwn(self, String(key)),
  keySet: (self) => Object.keys(self),
  values: (self) => Object.values(self),
  entrySet: (self) => Object.entries(self).map(([key, value]) => ({ key, value })),
  put: (self, key, value) => {
    const previous = Object.hasOwn(self, String(key)) ? self[String(key)] : null;
    self[String(key)] = value;
    return previous;
  },
};

function isPlainMap(value: object): value is JavaMap {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function call<T>(table: Record<string, (self: T, ...args: unknown[]) => unknown>, receiver: string, self: T, property: string, params: unknown[]): unknown {
  const method = Object.hasOwn(table, property) ? table[property] : undefined;
  if (!method) throw new UnsupportedTemplateMethodError(receiver, property);
  return method(self, ...params);
}

/**
 * Every method call in a template. Objects built by the renderer itself (`$input`, `$util`, the
 * TemplateObject subclasses) expose their methods as class methods; JSON data are Java Maps and Lists.
 */
export function callJavaMethod(self: unknown, property: string, params: unknown[]): unknown {
  if (typeof self === 'string') return call(STRING_METHODS, 'String', self, property, params);
  if (typeof self === 'number') return call(NUMBER_METHODS, 'Number', self, property, params);
  if (typeof self === 'boolean') return call(BOOLEAN_METHODS, 'Boolean', self, property, params);
  if (Array.isArray(self)) return call(LIST_METHODS, 'List', self, property, params);
  if (self !== null && typeof self === 'object') {
    if (isPlainMap(self)) return call(MAP_METHODS, 'Map', self, property, params);
    const method = (self as Record<string, unknown>)[property];
    if (typeof method === 'function' && property !== 'constructor' && !Object.hasOwn(Object.prototype, property)) {
      return (method as Method).apply(self, params);
    }
    throw new UnsupportedTemplateMethodError(self.constructor?.name ?? 'Object', property);
  }
  throw new UnsupportedTemplateMethodError(String(self), property);
}

/** The velocityjs hook that routes every method call through callJavaMethod. */
export const JAVA_METHOD_HANDLER = {
  uid: 'api-gateway-java-methods',
  match: () => true,
  resolve: ({ context, property, params }: { context: unknown; property: string; params: unknown[] }) =>
    callJavaMethod(context, property, params),
};
