export const sleep = (ms: number) => new Promise<void>((resolveSleep) => setTimeout(resolveSleep, ms));

/** What a check returns while the awaited thing has not happened yet. */
type NotYet = undefined | null | false;

/**
 * Poll `check` until it returns something other than undefined, null or false (so a boolean
 * condition works, and 0 or '' are real answers), and return that. A check that throws is retried;
 * at the deadline the error names `what` and the last value or error.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | NotYet | Promise<T | NotYet>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const shown = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${shown})`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Wait for the clock to move on, so the next row is strictly younger: createdAt is in ms, and rows
 * created in the same ms list in id order (random for tasks and work items), not creation order.
 */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await sleep(1);
}

/**
 * Wait until a second has just begun. A token that lives one second expires at the next whole
 * second after it was issued (JWT times are whole seconds): issued late in a second it would be
 * expired almost at once, so a test that needs it fresh first waits here.
 */
export async function secondStart(): Promise<void> {
  const second = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === second) await sleep(5);
}
