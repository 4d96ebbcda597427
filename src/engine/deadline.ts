/**
 * A promise that rejects with `expired()` once `ms` have passed without `work` settling; the timer
 * is cleared either way. `work` goes on (nothing here can stop it), and a rejection it meets later
 * is swallowed: its caller has moved on.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), ms);
  });
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
