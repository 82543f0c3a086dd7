/**
 * EventBridge Pipes input templates: the template the fan-out stack deploys on the Pipe's target, and
 * a renderer that applies EventBridge's documented substitution rules, so the local stage runs the
 * same template the Pipe runs on AWS.
 *
 * Rules (Amazon EventBridge user guide, "Amazon EventBridge Pipes input transformation",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html):
 * - "EventBridge Pipes automatically adds quotes to string variable values during transformation";
 *   quotes around a string variable are "permitted" (so `"<$.a>"` and `<$.a>` render alike).
 * - "EventBridge Pipes does not add quotes to variables that represent JSON objects or arrays": they
 *   are inserted as JSON.
 * - "EventBridge doesn't escape values extracted by Input Path": a string holding `"` or `\` gives
 *   invalid JSON. This renderer does not escape either.
 * - "If a JSON path references a JSON object or array, but the variable is referenced in a string,
 *   EventBridge removes any internal quotes".
 * - "If you specify a variable to match a JSON path that doesn't exist in the event, that variable
 *   isn't created and won't appear in the output": rendered as nothing.
 * Numbers, booleans and null (not named by the page) are inserted as JSON literals.
 */

/**
 * The Pipe's target template: the stream record's new image as a JSON object (DynamoDB attribute-value
 * form), and the record's sequence number (a string, so EventBridge quotes it).
 *
 * Why not `"version":<$.dynamodb.NewImage.version.N>`: a DynamoDB `N` is a string in the stream
 * record, so EventBridge would quote it (`"version":"3"`); and the payload is JSON text whose quotes
 * EventBridge would not escape (`"payload":"{"seq":1}"`, invalid JSON). An object is inserted as JSON,
 * escapes and all, and the consumer reads it with the SDK's `unmarshall` like a stored item.
 */
export const PIPE_INPUT_TEMPLATE = '{"kind":"dynamodb-new-image","newImage":<$.dynamodb.NewImage>,"sequenceNumber":<$.dynamodb.SequenceNumber>}';

/** The `kind` the template above writes; the consumer recognises a Pipe message by it. */
export const PIPE_MESSAGE_KIND = 'dynamodb-new-image';

/** Values of the reserved `<aws.pipes.*>` variables for one event. */
export interface PipeReservedVariables {
  pipeArn?: string;
  pipeName?: string;
  sourceArn?: string;
  targetArn?: string;
  enrichmentArn?: string;
  /** ISO 8601 time the input transformer received the event. */
  ingestionTime?: string;
}

export class PipeTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipeTemplateError';
  }
}

const PLACEHOLDER = /^<(\$[A-Za-z0-9_.\-/[\]]*|aws\.pipes\.[a-z.-]+)>/;

/** Resolves a JSON path of the supported subset (dot notation, `[n]` and `.n` array indices) in `event`. */
export function resolvePipePath(event: unknown, path: string): unknown {
  if (path === '$') return event;
  if (!path.startsWith('$.') && !path.startsWith('$[')) throw new PipeTemplateError(`Unsupported JSON path "${path}".`);
  const steps = path
    .slice(1)
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
  let value: unknown = event;
  for (const step of steps) {
    if (step === '*') throw new PipeTemplateError(`Wildcards are not supported by this renderer ("${path}").`);
    if (Array.isArray(value) && /^\d+$/.test(step)) value = value[Number(step)];
    else if (typeof value === 'object' && value !== null && Object.hasOwn(value, step)) value = (value as Record<string, unknown>)[step];
    else return undefined;
  }
  return value;
}

function reservedValue(name: string, event: unknown, reserved: PipeReservedVariables): unknown {
  switch (name) {
    case 'aws.pipes.pipe-arn':
      return reserved.pipeArn;
    case 'aws.pipes.pipe-name':
      return reserved.pipeName;
    case 'aws.pipes.source-arn':
      return reserved.sourceArn;
    case 'aws.pipes.target-arn':
      return reserved.targetArn;
    case 'aws.pipes.enrichment-arn':
      return reserved.enrichmentArn;
    case 'aws.pipes.event.ingestion-time':
      return reserved.ingestionTime ?? new Date().toISOString();
    case 'aws.pipes.event':
    case 'aws.pipes.event.json':
      return event;
    default:
      throw new PipeTemplateError(`Unknown reserved variable <${name}>.`);
  }
}

/** One value in a JSON value position: strings quoted (not escaped), objects and arrays as JSON. */
function asValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  return JSON.stringify(value);
}

/** One value inside a string literal: strings as they are, objects and arrays without their quotes. */
function inString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value).replaceAll('"', '');
  return String(value);
}

/**
 * Renders an input template for one event (for a DynamoDB stream source: one stream record). Text
 * outside placeholders is copied as it is; a placeholder already inside quotes gets no second pair.
 */
export function renderPipeInputTemplate(template: string, event: unknown, reserved: PipeReservedVariables = {}): string {
  let out = '';
  let insideString = false;
  for (let i = 0; i < template.length; ) {
    const match = template[i] === '<' ? PLACEHOLDER.exec(template.slice(i)) : null;
    if (match) {
      const name = match[1]!;
      const value = name.startsWith('$') ? resolvePipePath(event, name) : reservedValue(name, event, reserved);
      if (value !== undefined) out += insideString ? inString(value) : asValue(value);
      i += match[0].length;
      continue;
    }
    const ch = template[i]!;
    if (ch === '\\' && insideString) {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch === '"') insideString = !insideString;
    out += ch;
    i += 1;
  }
  return out;
}
