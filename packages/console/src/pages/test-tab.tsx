// Test: saved test events (kept on the server, shared by the account), a payload to
// edit, and Invoke with the log's tail; the result, the REPORT figures and the log
// are shown as the Lambda console shows them.
import { useEffect, useState } from "preact/hooks";
import { type InvokeResult, invoke, listTestEvents, saveTestEvent, type TestEvent } from "../lambda.js";
import { parseReport } from "../report.js";

export function TestTab(props: { name: string }) {
  const [events, setEvents] = useState<TestEvent[]>([]);
  const [eventName, setEventName] = useState("");
  const [payload, setPayload] = useState('{\n  "name": "console"\n}');
  const [result, setResult] = useState<InvokeResult | undefined>();
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const load = () =>
    listTestEvents(props.name).then(setEvents, (e: Error) => setMessage({ kind: "error", text: e.message }));
  useEffect(() => {
    void load();
  }, [props.name]);

  const pick = (name: string) => {
    const ev = events.find((e) => e.Name === name);
    setEventName(name);
    if (ev) setPayload(ev.Payload);
  };

  const save = async () => {
    setMessage(undefined);
    try {
      await saveTestEvent(props.name, eventName, payload);
      setMessage({ kind: "ok", text: `Saved test event ${eventName}` });
      await load();
    } catch (e) {
      setMessage({ kind: "error", text: `Not saved: ${(e as Error).message}` });
    }
  };

  const run = async () => {
    setBusy(true);
    setMessage(undefined);
    setResult(undefined);
    try {
      JSON.parse(payload);
    } catch {
      setMessage({ kind: "error", text: "The event is not valid JSON" });
      setBusy(false);
      return;
    }
    try {
      setResult(await invoke(props.name, payload));
    } catch (e) {
      setMessage({ kind: "error", text: `Invoke failed: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };

  const report = result?.log ? parseReport(result.log) : undefined;
  return (
    <div class="test">
      <h2>Test event</h2>
      <div class="row">
        <label>
          Saved events
          <select
            value={events.some((e) => e.Name === eventName) ? eventName : ""}
            onChange={(e) => pick(e.currentTarget.value)}
          >
            <option value="">(choose a saved event)</option>
            {events.map((e) => (
              <option key={e.Name}>{e.Name}</option>
            ))}
          </select>
        </label>
        <label>
          Event name
          <input
            name="eventName"
            pattern="[A-Za-z0-9._-]{1,25}"
            title="1 to 25 letters, digits, dots, hyphens or underscores"
            value={eventName}
            onInput={(e) => setEventName(e.currentTarget.value)}
          />
        </label>
      </div>
      <label>
        Event JSON
        <textarea
          name="payload"
          rows={8}
          spellcheck={false}
          value={payload}
          onInput={(e) => setPayload(e.currentTarget.value)}
        />
      </label>
      <div class="actions">
        <button type="button" onClick={save} disabled={eventName === ""}>
          Save
        </button>
        <button type="button" onClick={run} disabled={busy}>
          {busy ? "Running…" : "Test"}
        </button>
      </div>
      {message && (
        <p class={message.kind === "error" ? "error" : "ok"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      {result && (
        <section
          class={`result ${result.functionError ? "failed" : "succeeded"}`}
          aria-live="polite"
          aria-label="Result"
        >
          <h3>{result.functionError ? `Execution failed (${result.functionError})` : "Execution succeeded"}</h3>
          <pre class="payload">{result.payload}</pre>
          {report && (
            <dl class="report">
              {report.figures.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
          <p>
            Request id <code>{result.requestId}</code>, version {result.executedVersion}
          </p>
          {result.log && (
            <>
              <h4>Log output (last 4 KB)</h4>
              <pre class="log">{result.log}</pre>
            </>
          )}
        </section>
      )}
    </div>
  );
}
