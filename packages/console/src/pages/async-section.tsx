// The function's asynchronous invocations (Monitor tab): the backlog (events accepted,
// running or waiting for a retry) and the dead letters (events that ran out of attempts
// or of age), each dead letter with a re-drive that queues it again.
import { useEffect, useState } from "preact/hooks";
import { type AsyncInvocation, listAsyncInvocations, redrive } from "../stratus-api.js";

const BACKLOG = ["accepted", "running", "retrying"];
const DEAD = ["dead_lettered", "expired"];

async function listOf(name: string, statuses: string[]): Promise<AsyncInvocation[]> {
  const lists = await Promise.all(statuses.map((s) => listAsyncInvocations(name, s)));
  return lists.flat().sort((a, b) => b.AcceptedAt.localeCompare(a.AcceptedAt));
}

/** The error as Lambda's record names it (errorType: errorMessage), else as it came. */
function errorText(e: unknown): string {
  if (e === undefined || e === null) return "";
  if (typeof e === "string") return e;
  const o = e as { errorType?: unknown; errorMessage?: unknown };
  if (typeof o.errorMessage === "string")
    return `${typeof o.errorType === "string" ? `${o.errorType}: ` : ""}${o.errorMessage}`;
  return JSON.stringify(e);
}

function Table(props: { caption: string; items: AsyncInvocation[]; onRedrive?: (id: string) => void }) {
  if (props.items.length === 0) return <p>None.</p>;
  return (
    <div class="scroll">
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Request id</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Accepted</th>
            <th scope="col">Error</th>
            {props.onRedrive && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr key={i.RequestId}>
              <th scope="row" class="arn">
                {i.RequestId}
              </th>
              <td>{i.Status}</td>
              <td class="num">
                {i.Attempts} of {i.MaxAttempts}
              </td>
              <td>
                <time dateTime={i.AcceptedAt}>{new Date(i.AcceptedAt).toLocaleString()}</time>
              </td>
              <td>{errorText(i.Error)}</td>
              {props.onRedrive && (
                <td>
                  <button
                    type="button"
                    aria-label={`Re-drive ${i.RequestId}`}
                    onClick={() => props.onRedrive?.(i.RequestId)}
                  >
                    Re-drive
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AsyncSection(props: { name: string }) {
  const [backlog, setBacklog] = useState<AsyncInvocation[] | undefined>();
  const [dead, setDead] = useState<AsyncInvocation[] | undefined>();
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");

  const load = async () => {
    try {
      const [b, d] = await Promise.all([listOf(props.name, BACKLOG), listOf(props.name, DEAD)]);
      setBacklog(b);
      setDead(d);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [props.name]);

  const again = async (id: string) => {
    try {
      await redrive(id);
      setStatus(`Re-drove ${id}`);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="async" aria-labelledby="async-title">
      <div class="bar">
        <h2 id="async-title">Asynchronous invocations</h2>
        <button type="button" onClick={() => void load()}>
          Refresh invocations
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {status && (
        <p class="ok" role="status">
          {status}
        </p>
      )}
      <h3>Backlog</h3>
      {backlog === undefined ? <p class="loading">Loading…</p> : <Table caption="Backlog" items={backlog} />}
      <h3>Dead letters</h3>
      {dead === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <Table caption="Dead letters" items={dead} onRedrive={(id) => void again(id)} />
      )}
    </section>
  );
}
