/**
 * The one polling helper of the suite: calls `check` until it returns something truthy (state patches,
 * listings, jobs and database rows change asynchronously) and resolves with that value; after
 * `timeoutMs` it fails naming `what` was awaited (a function: evaluated then, to show the last state). Tests wait for a positive signal, never a fixed sleep.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string | (() => string),
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
