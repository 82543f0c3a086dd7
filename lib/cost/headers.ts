/**
 * Response headers the backends send so the runner can count cold starts and bill the work
 * (contract 3). The runner's tally sums every numeric `x-sst-<name>` header per target and tier
 * (`headerSums[<name>]`); parity ignores every `x-sst-*` header.
 */
export const SST_HEADERS = {
  /** Which instance (Lambda execution environment, container process) served the request. */
  instanceId: 'x-sst-instance-id',
  /** "1" on an instance's first request, "0" afterwards. */
  coldStart: 'x-sst-cold-start',
  /** DynamoDB read request units the request consumed (ConsumedCapacity.CapacityUnits, ReturnConsumedCapacity=TOTAL). */
  readUnits: 'x-sst-read-units',
  /** Step Functions Express billingDetails.billedDurationInMilliseconds. */
  billedDurationMs: 'x-sst-billed-duration-ms',
  /** Step Functions Express billingDetails.billedMemoryUsedInMB. */
  billedMemoryMb: 'x-sst-billed-memory-mb',
  /** The two multiplied (per execution), so sums stay exact when memory varies. */
  billedMbMs: 'x-sst-billed-mb-ms',
  /** Lambda handler's own measure of its duration, rounded up to 1 ms as Lambda rounds. */
  handlerDurationMs: 'x-sst-handler-duration-ms',
  /** The function's configured memory (context.memoryLimitInMB). */
  memoryMb: 'x-sst-memory-mb',
  /** Local Lambda host only: the instance's INIT (module load) time, on its first response. */
  initMs: 'x-sst-init-ms',
} as const;

/** The tally's key for a header: the name without `x-sst-`. */
export function sumKey(header: string): string {
  return header.replace(/^x-sst-/, '');
}
