/**
 * Waits for processes started at once. Those that came up are added to `started`, in the
 * order given, even when another of them failed; then the first failure is thrown, so that
 * the caller stops exactly what runs.
 */
export async function together<T>(started: T[], starting: Promise<T | T[]>[]): Promise<void> {
  const results = await Promise.allSettled(starting);
  for (const result of results) {
    if (result.status === 'fulfilled') started.push(...([] as T[]).concat(result.value));
  }
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
