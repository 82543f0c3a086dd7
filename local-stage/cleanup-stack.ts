/**
 * What a local stage has started, undone in reverse order. `stop()` runs every step even when one
 * fails, then throws all the failures together; it is safe after a partial start and to call twice.
 */
export class CleanupStack {
  private readonly steps: (() => Promise<void>)[] = [];

  constructor(private readonly what: string) {}

  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  readonly stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) await step().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, `${this.what} did not stop cleanly`);
  };
}
