import { KitError } from '../errors.ts';

/** The record every task mirrors: written by the AppSync mutation, read back by new tasks. */
export interface FanoutState {
  id: string;
  /** Strictly increasing; the resolver's condition rejects a write that does not increase it. */
  version: number;
  payload: unknown;
  /** Epoch ms at which the resolver wrote the record (AppSync's clock). */
  writtenAt: number;
}

/** A message or record that is not a state record. Processing it fails every time (it ends in the DLQ). */
export class InvalidStateError extends KitError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('FANOUT_INVALID_STATE', message, { context });
  }
}

/** Checks an unmarshalled DynamoDB item or a parsed message body and returns it typed. */
export function parseState(value: unknown): FanoutState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidStateError('A state record must be a JSON object.');
  }
  const record = value as Record<string, unknown>;
  const { id, version, writtenAt } = record;
  if (typeof id !== 'string' || id === '') throw new InvalidStateError('State record has no string "id".', { id });
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new InvalidStateError('State record "version" must be a non-negative integer.', { id, version });
  }
  if (typeof writtenAt !== 'number' || !Number.isFinite(writtenAt)) {
    throw new InvalidStateError('State record "writtenAt" must be epoch milliseconds.', { id, writtenAt });
  }
  return { id, version, payload: record['payload'] ?? null, writtenAt };
}

/**
 * The state from a DynamoDB item (unmarshalled): the table keeps `payload` as JSON text, so every
 * reader (stream processor, consumer load) hands on the same shape as the EventBridge Pipe template.
 */
export function stateFromStoredItem(item: Record<string, unknown>): FanoutState {
  const state = parseState(item);
  if (typeof state.payload !== 'string') return state;
  try {
    return { ...state, payload: JSON.parse(state.payload) as unknown };
  } catch (cause) {
    throw new InvalidStateError('State record "payload" is not JSON text.', { id: state.id, version: state.version, cause: String(cause) });
  }
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

/**
 * The version rule: a change replaces the held state only when its version is newer. Applying the
 * same change twice, or an older one after a newer one, leaves the state as it is (idempotent).
 */
export function applyChange(held: FanoutState | undefined, change: FanoutState): { state: FanoutState | undefined; outcome: ApplyOutcome } {
  if (held === undefined || change.version > held.version) return { state: change, outcome: 'applied' };
  return { state: held, outcome: change.version === held.version ? 'duplicate' : 'stale' };
}
