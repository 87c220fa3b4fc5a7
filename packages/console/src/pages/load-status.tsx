// A section's loaded value (or why it failed to load) and its reload, the line that
// says it is loading or why it failed, and its actions' busy and error state: what
// each of the Triggers tab's sections shows while its own service answers.
import { useCallback, useEffect, useState } from "preact/hooks";

export type Loaded<T> = { value?: T; error?: string };

/** The loaded value (or why not) and a reload that settles once the value is in. */
export function useLoad<T>(load: () => Promise<T>): [Loaded<T>, () => Promise<void>] {
  const [state, setState] = useState<Loaded<T>>({});
  const reload = useCallback(
    () =>
      load().then(
        (value) => setState({ value }),
        (e: Error) => setState({ error: e.message }),
      ),
    [load],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return [state, reload];
}

export function Status<T>(props: { of: Loaded<T>; what: string }) {
  if (props.of.error)
    return (
      <p class="error" role="alert">
        {props.what}: {props.of.error}
      </p>
    );
  return props.of.value === undefined ? <p class="loading">Loading {props.what}…</p> : null;
}

/** An action runner: `act(what, f)` marks `what` busy, runs `f`, reloads, and keeps `f`'s error to show. */
export function useAction(reload: () => Promise<void>) {
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const act = async (what: string, f: () => Promise<unknown>) => {
    setBusy(what);
    setError("");
    try {
      await f();
      await reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy("");
    }
  };
  return { busy, error, act };
}
