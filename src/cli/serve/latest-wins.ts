// Runs an async job one at a time, where a request arriving while one runs means "run again once it
// is done": all requests made meanwhile share that one follow-up run, which sees the newest state.
// The service's reloads and the registrar sweeps both need exactly this (the last write wins).

/** Wraps `job` so that runs never overlap and requests during a run share one follow-up. */
export function latestWins<T>(job: (reason: string) => Promise<T>): (reason: string) => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  function start(reason: string): Promise<T> {
    const run = job(reason).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  }
  return (reason) => {
    if (queued !== undefined) return queued;
    if (running === undefined) return start(reason);
    // After the running job, whether it resolved or rejected (its own caller sees that).
    const done = running.then(
      () => undefined,
      () => undefined,
    );
    const follow = done.then(() => {
      queued = undefined;
      return start(reason);
    });
    queued = follow;
    return follow;
  };
}
