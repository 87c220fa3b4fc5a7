// Triggers: what invokes the function. Its function URL (create one with an auth type,
// or delete it), its event source mappings (enable, disable, delete; re-read each
// second while one settles), the Scheduler schedules and the EventBridge rules of every
// bus that target it, the buckets that notify it, and the SNS subscriptions to it
// (sns-section.tsx). Each section loads on its own: one service failing leaves the
// others shown.
import { useCallback, useEffect, useState } from "preact/hooks";
import {
  type BucketBinding,
  bucketBindings,
  createUrl,
  deleteMapping,
  deleteUrl,
  getUrl,
  listMappings,
  type Mapping,
  type RuleBinding,
  rulesFor,
  type ScheduleSummary,
  schedulesFor,
  setMappingEnabled,
  settling,
  type UrlConfig,
} from "../triggers.js";
import { Status, useAction, useLoad } from "./load-status.js";
import { SnsSection } from "./sns-section.js";

function UrlSection(props: { name: string }) {
  const [url, reload] = useLoad(useCallback(() => getUrl(props.name).then((u) => u ?? null), [props.name]));
  const [auth, setAuth] = useState<UrlConfig["AuthType"]>("AWS_IAM");
  const { busy, error, act } = useAction(reload);
  return (
    <section aria-labelledby="trig-url">
      <h2 id="trig-url">Function URL</h2>
      <Status of={url} what="the function URL" />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {url.value ? (
        <dl class="summary">
          <div>
            <dt>URL</dt>
            <dd class="arn">
              <a href={url.value.FunctionUrl} target="_blank" rel="noreferrer">
                {url.value.FunctionUrl}
              </a>
            </dd>
          </div>
          <div>
            <dt>Auth type</dt>
            <dd>{url.value.AuthType}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{new Date(url.value.CreationTime).toLocaleString()}</dd>
          </div>
          <div>
            <button type="button" disabled={busy !== ""} onClick={() => act("delete", () => deleteUrl(props.name))}>
              {busy === "delete" ? "Deleting…" : "Delete function URL"}
            </button>
          </div>
        </dl>
      ) : url.value === null ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void act("create", () => createUrl(props.name, auth));
          }}
        >
          <p>No function URL.</p>
          <label>
            Auth type
            <select value={auth} onChange={(e) => setAuth(e.currentTarget.value as UrlConfig["AuthType"])}>
              <option value="AWS_IAM">AWS_IAM (signed requests only)</option>
              <option value="NONE">NONE (public)</option>
            </select>
          </label>
          <button type="submit" disabled={busy !== ""}>
            {busy === "create" ? "Creating…" : "Create function URL"}
          </button>
        </form>
      ) : null}
    </section>
  );
}

const sourceOf = (m: Mapping) => m.EventSourceArn?.split(":").slice(-1)[0] ?? "–";

function MappingsSection(props: { name: string }) {
  const [list, reload] = useLoad(useCallback(() => listMappings(props.name), [props.name]));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState("");
  // A change leaves the mapping Enabling, Disabling or Deleting until its lease holder settles it.
  useEffect(() => {
    if (!list.value?.some((m) => settling(m.State))) return;
    const t = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(t);
  }, [list, reload]);
  // The row's buttons wait until the list shows what the change made of the mapping.
  const act = (uuid: string, f: () => Promise<unknown>) => {
    setBusy(uuid);
    f()
      .then(
        () => {
          setError("");
          return reload();
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => setBusy(""));
  };
  return (
    <section aria-labelledby="trig-esm">
      <h2 id="trig-esm">Event source mappings</h2>
      <Status of={list} what="event source mappings" />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list.value?.length === 0 && <p>None.</p>}
      {list.value && list.value.length > 0 && (
        <table aria-labelledby="trig-esm">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">State</th>
              <th scope="col">Batch size</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.value.map((m) => {
              const on = m.State === "Enabled" || m.State === "Enabling";
              const still = busy === m.UUID || m.State === "Deleting";
              return (
                <tr key={m.UUID}>
                  <th scope="row" title={m.EventSourceArn}>
                    {sourceOf(m)}
                  </th>
                  <td>{m.State}</td>
                  <td class="num">{m.BatchSize ?? "–"}</td>
                  <td>
                    <button
                      type="button"
                      disabled={still || m.State === "Creating" || m.State === "Updating"}
                      aria-label={`${on ? "Disable" : "Enable"} mapping from ${sourceOf(m)}`}
                      onClick={() => act(m.UUID, () => setMappingEnabled(m.UUID, !on))}
                    >
                      {on ? "Disable" : "Enable"}
                    </button>{" "}
                    <button
                      type="button"
                      disabled={still}
                      aria-label={`Delete mapping from ${sourceOf(m)}`}
                      onClick={() => act(m.UUID, () => deleteMapping(m.UUID))}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SchedulesSection(props: { arn: string }) {
  const [list] = useLoad<ScheduleSummary[]>(useCallback(() => schedulesFor(props.arn), [props.arn]));
  return (
    <section aria-labelledby="trig-sched">
      <h2 id="trig-sched">Scheduler schedules</h2>
      <Status of={list} what="schedules" />
      {list.value?.length === 0 && <p>None.</p>}
      {list.value && list.value.length > 0 && (
        <ul>
          {list.value.map((s) => (
            <li key={`${s.GroupName}/${s.Name}`}>
              {s.Name}{" "}
              <span class="muted">
                (group {s.GroupName}, {s.State})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The qualifiers a rule's targets name (none for the unqualified function). */
const qualifiers = (r: RuleBinding) =>
  r.Targets.map((t) => t.Arn.split(":")[7])
    .filter((q) => q !== undefined)
    .map((q) => `:${q}`);

function RulesSection(props: { name: string }) {
  const [list] = useLoad<RuleBinding[]>(useCallback(() => rulesFor(props.name), [props.name]));
  return (
    <section aria-labelledby="trig-rules">
      <h2 id="trig-rules">EventBridge rules</h2>
      <Status of={list} what="rules" />
      {list.value?.length === 0 && <p>None.</p>}
      {list.value && list.value.length > 0 && (
        <ul>
          {list.value.map((r) => (
            <li key={`${r.EventBusName}/${r.Name}`}>
              {r.Name}{" "}
              <span class="muted">
                (bus {r.EventBusName}, {r.ScheduleExpression ?? "event pattern"}, {r.State}
                {qualifiers(r).length > 0 ? `, to ${qualifiers(r).join(" ")}` : ""})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function BucketsSection(props: { name: string }) {
  const [list] = useLoad<BucketBinding[]>(useCallback(() => bucketBindings(props.name), [props.name]));
  return (
    <section aria-labelledby="trig-buckets">
      <h2 id="trig-buckets">Bucket notifications</h2>
      <Status of={list} what="bucket notifications" />
      {list.value?.length === 0 && <p>None.</p>}
      {list.value && list.value.length > 0 && (
        <ul>
          {list.value.flatMap((b) =>
            b.Configurations.map((c) => (
              <li key={`${b.Bucket}/${c.Id}`}>
                {b.Bucket}: {c.Events.join(", ")}
                {c.Prefix || c.Suffix ? ` (keys ${c.Prefix ?? ""}…${c.Suffix ?? ""})` : ""}
              </li>
            )),
          )}
        </ul>
      )}
    </section>
  );
}

export function TriggersTab(props: { name: string; arn: string }) {
  return (
    <div class="triggers">
      <UrlSection name={props.name} />
      <MappingsSection name={props.name} />
      <SchedulesSection arn={props.arn} />
      <RulesSection name={props.name} />
      <BucketsSection name={props.name} />
      <SnsSection name={props.name} arn={props.arn} />
    </div>
  );
}
