/**
 * Runs tasks with at most `concurrency` in flight, as they are added, so that marks of one Kafka
 * batch proceed while the next batch is being sent. `drain()` waits for everything added so far.
 */
export interface TaskPool {
  add(task: () => Promise<void>): void;
  drain(): Promise<void>;
}

export function createTaskPool(concurrency: number): TaskPool {
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  let idle: (() => void)[] = [];

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
    if (running === 0 && queue.length === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
  };

  return {
    add(task) {
      queue.push(task);
      pump();
    },
    drain() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
