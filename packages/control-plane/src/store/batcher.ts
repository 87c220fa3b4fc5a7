// Natural batching of small writes: the first item goes out at once; items that
// arrive while a batch is in flight wait for it and then go out together as the
// next batch. At low load nothing waits; under load many callers share one
// statement and one commit (with fsync on, the commit is most of a write's cost).
// `run` gets the items in order and answers one result per item, in order; if it
// throws, every caller of that batch gets the error. An item may fail alone: `run`
// answers an ItemError for it (see eachAlone), and only its caller gets that error.
// With `lingerMs`, a batch that would go out at once waits that long for company first,
// unless it holds an item `urgent` names.

export type Batched<T, R> = (item: T) => Promise<R>;

/** The answer for an item that failed by itself: its caller, and only its caller, gets `error`. */
export class ItemError {
  constructor(readonly error: unknown) {}
}

/** Runs `run` for each item on its own, all at once; an item that fails is answered an ItemError. */
export function eachAlone<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<(R | ItemError)[]> {
  return Promise.all(items.map((item) => run(item).catch((err: unknown) => new ItemError(err))));
}

/**
 * `run`, with a failed batch of several items run again item by item when `split`
 * says its error may be one item's (so one bad row cannot fail its neighbours).
 */
export function splitOnFailure<T, R>(
  run: (items: T[]) => Promise<R[]>,
  split: (err: unknown) => boolean = () => true,
): (items: T[]) => Promise<(R | ItemError)[]> {
  return async (items) => {
    try {
      return await run(items);
    } catch (err) {
      if (items.length === 1 || !split(err)) throw err;
      return eachAlone(items, async (item) => (await run([item]))[0] as R);
    }
  };
}

/** Gives each id a batch answered to the first of its callers (a duplicate in one batch gets nothing). */
export function claimInOrder<T>(ids: string[], found: Map<string, T>): (T | undefined)[] {
  return ids.map((id) => {
    const hit = found.get(id);
    found.delete(id);
    return hit;
  });
}

/** `urgent`: an item that does not linger; one arriving during a linger ends it. */
export function createBatcher<T, R>(
  run: (items: T[]) => Promise<(R | ItemError)[]>,
  maxBatch = 256,
  lingerMs = 0,
  urgent: (item: T) => boolean = () => false,
): Batched<T, R> {
  let waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let inFlight = false;
  let endLinger: (() => void) | undefined;

  async function flush(): Promise<void> {
    inFlight = true;
    if (lingerMs > 0 && !waiting.some((w) => urgent(w.item))) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lingerMs);
        endLinger = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      endLinger = undefined;
    }
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(batch.length);
      try {
        const results = await run(batch.map((w) => w.item));
        if (results.length !== batch.length) throw new Error(`batch answered ${results.length} of ${batch.length}`);
        for (const [i, w] of batch.entries()) {
          const result = results[i];
          if (result instanceof ItemError) w.reject(result.error);
          else w.resolve(result as R);
        }
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    inFlight = false;
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!inFlight) void flush();
      else if (endLinger && urgent(item)) endLinger();
    });
}
