// Configuration: memory, timeout, ephemeral storage, environment, description and
// reserved concurrency. Saved with UpdateFunctionConfiguration (under the RevisionId
// the page holds) and Put/DeleteFunctionConcurrency; Lambda's validation message is
// shown as it comes back.
import { useState } from "preact/hooks";
import { ApiError } from "../api.js";
import { deleteConcurrency, type FunctionDetail, putConcurrency, updateConfiguration } from "../lambda.js";

type Row = { key: string; value: string };

export function ConfigTab(props: { detail: FunctionDetail; reload: () => Promise<void> }) {
  const c = props.detail.Configuration;
  const [memory, setMemory] = useState(String(c.MemorySize));
  const [timeout, setTimeoutS] = useState(String(c.Timeout));
  const [storage, setStorage] = useState(String(c.EphemeralStorage?.Size ?? 512));
  const [description, setDescription] = useState(c.Description ?? "");
  const [env, setEnv] = useState<Row[]>(
    Object.entries(c.Environment?.Variables ?? {}).map(([key, value]) => ({ key, value })),
  );
  const reservedNow = props.detail.Concurrency?.ReservedConcurrentExecutions;
  const [reserved, setReserved] = useState(reservedNow === undefined ? "" : String(reservedNow));
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const setRow = (i: number, patch: Partial<Row>) => setEnv(env.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      await updateConfiguration(c.FunctionName, {
        MemorySize: Number(memory),
        Timeout: Number(timeout),
        EphemeralStorage: { Size: Number(storage) },
        Description: description,
        Environment: { Variables: Object.fromEntries(env.filter((r) => r.key !== "").map((r) => [r.key, r.value])) },
        RevisionId: c.RevisionId,
      });
      if (reserved.trim() === "" && reservedNow !== undefined) await deleteConcurrency(c.FunctionName);
      else if (reserved.trim() !== "" && Number(reserved) !== reservedNow)
        await putConcurrency(c.FunctionName, Number(reserved));
      setMessage({ kind: "ok", text: "Configuration saved" });
      await props.reload();
    } catch (err) {
      const raced = err instanceof ApiError && err.type === "PreconditionFailedException";
      setMessage({
        kind: "error",
        text: raced
          ? "Not saved: the function changed since this page loaded. Reload and apply your changes again."
          : `Not saved: ${(err as Error).message}`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form config" onSubmit={save}>
      <h2>General configuration</h2>
      <label>
        Memory (MB)
        <input
          name="memory"
          type="number"
          inputMode="numeric"
          value={memory}
          onInput={(e) => setMemory(e.currentTarget.value)}
        />
      </label>
      <label>
        Timeout (seconds)
        <input
          name="timeout"
          type="number"
          inputMode="numeric"
          value={timeout}
          onInput={(e) => setTimeoutS(e.currentTarget.value)}
        />
      </label>
      <label>
        Ephemeral storage /tmp (MB)
        <input
          name="storage"
          type="number"
          inputMode="numeric"
          value={storage}
          onInput={(e) => setStorage(e.currentTarget.value)}
        />
      </label>
      <label>
        Description
        <input name="description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <label>
        Reserved concurrency (blank: use the account's unreserved pool)
        <input
          name="reserved"
          type="number"
          inputMode="numeric"
          value={reserved}
          onInput={(e) => setReserved(e.currentTarget.value)}
        />
      </label>
      <fieldset>
        <legend>Environment variables</legend>
        {env.map((r, i) => (
          <div class="row" key={i}>
            <label>
              Key
              <input value={r.key} onInput={(e) => setRow(i, { key: e.currentTarget.value })} />
            </label>
            <label>
              Value
              <input value={r.value} onInput={(e) => setRow(i, { value: e.currentTarget.value })} />
            </label>
            <button
              type="button"
              class="link"
              onClick={() => setEnv(env.filter((_, j) => j !== i))}
              aria-label={`Remove ${r.key || "variable"}`}
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="link" onClick={() => setEnv([...env, { key: "", value: "" }])}>
          Add environment variable
        </button>
      </fieldset>
      {message && (
        <p class={message.kind === "error" ? "error" : "ok"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
