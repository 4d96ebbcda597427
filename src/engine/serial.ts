/**
 * Runs tasks one after another, in the order they were handed in, whatever their owners: the relay
 * uses one for every pipeline's "send a batch, then record its delivery", so that at most one
 * batch in the whole process is acknowledged by Kafka but not yet recorded.
 */
export type Serial = <T>(task: () => Promise<T>) => Promise<T>;

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}
