/**
 * Time bounds for the reliability tests: "never hangs" is checked by racing the work against a
 * deadline, so a regression fails with a message instead of eating the runner's timeout.
 */

export class DeadlineError extends Error {
  constructor(label: string, ms: number) {
    super(`${label}: no answer within ${ms} ms (hang)`);
    this.name = 'DeadlineError';
  }
}

/** Resolves with `work`, or rejects with DeadlineError after `ms`. */
export async function within<T>(ms: number, work: Promise<T>, label = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(label, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
