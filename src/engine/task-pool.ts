/**
 * Runs tasks with at most `concurrency` in flight, as they are added, so that marks of one Kafka
 * batch proceed while the next batch is being sent. `drain()` waits for everything added so far;
 * `waitBelow(n)` lets the producer of tasks stay at most `n` ahead of them.
 */
export interface TaskPool {
  add(task: () => Promise<void>): void;
  /** Resolves once at most `limit` tasks are waiting or running. */
  waitBelow(limit: number): Promise<void>;
  /** Resolves once every task added so far has finished. */
  drain(): Promise<void>;
}

export function createTaskPool(concurrency: number): TaskPool {
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  let waiters: { limit: number; resolve: () => void }[] = [];

  const settleWaiters = () => {
    const outstanding = running + queue.length;
    if (waiters.every((waiter) => waiter.limit < outstanding)) return;
    const still: typeof waiters = [];
    for (const waiter of waiters) {
      if (waiter.limit >= outstanding) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
  };

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const task = queue.shift() as () => Promise<void>;
      running++;
      // Tasks report their own failures; the pool only needs to know they finished.
      task()
        .catch(() => {})
        .finally(() => {
          running--;
          pump();
        });
    }
    settleWaiters();
  };

  const waitBelow = (limit: number) => {
    if (running + queue.length <= limit) return Promise.resolve();
    return new Promise<void>((resolve) => waiters.push({ limit, resolve }));
  };

  return {
    add(task) {
      queue.push(task);
      pump();
    },
    waitBelow,
    drain: () => waitBelow(0),
  };
}
