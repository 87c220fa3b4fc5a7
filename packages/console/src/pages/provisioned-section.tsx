// Provisioned concurrency on the versions tab: each config of the function with its
// status (read again every 2 s while one is on its way), a form to set one on a
// version or an alias, and a button to remove it.
import { useEffect, useState } from "preact/hooks";
import { deleteProvisioned, listProvisioned, type ProvisionedConfig, putProvisioned } from "../lambda.js";

const qualifierOf = (c: ProvisionedConfig) => c.FunctionArn.split(":").pop() ?? "";

export function ProvisionedSection(props: { name: string; qualifiers: string[] }) {
  const [configs, setConfigs] = useState<ProvisionedConfig[]>([]);
  const [form, setForm] = useState({ qualifier: "", count: "1" });
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | undefined>();

  const load = async () => {
    try {
      setConfigs(await listProvisioned(props.name));
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    }
  };
  useEffect(() => {
    void load();
  }, [props.name]);
  const settling = configs.some((c) => c.Status === "IN_PROGRESS");
  useEffect(() => {
    if (!settling) return;
    const timer = setInterval(() => void load(), 2_000);
    return () => clearInterval(timer);
  }, [settling, props.name]);

  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    const qualifier = form.qualifier || props.qualifiers[0] || "";
    try {
      await putProvisioned(props.name, qualifier, Number(form.count));
      setMessage({ kind: "ok", text: `Provisioning ${form.count} for ${qualifier}` });
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: `Not provisioned: ${(err as Error).message}` });
    }
  };
  const remove = async (qualifier: string) => {
    setMessage(undefined);
    try {
      await deleteProvisioned(props.name, qualifier);
      setMessage({ kind: "ok", text: `Removed the provisioned concurrency of ${qualifier}` });
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: `Not removed: ${(err as Error).message}` });
    }
  };

  return (
    <section class="provisioned">
      <h2>Provisioned concurrency</h2>
      {message && (
        <p class={message.kind === "error" ? "error" : "ok"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <form class="inline" onSubmit={save}>
        <label>
          Version or alias
          <select
            name="provisionedQualifier"
            value={form.qualifier}
            onChange={(e) => setForm({ ...form, qualifier: e.currentTarget.value })}
          >
            {props.qualifiers.map((q) => (
              <option key={q}>{q}</option>
            ))}
          </select>
        </label>
        <label>
          Provisioned concurrency
          <input
            name="provisionedCount"
            type="number"
            min="1"
            value={form.count}
            onInput={(e) => setForm({ ...form, count: e.currentTarget.value })}
          />
        </label>
        <button type="submit" disabled={props.qualifiers.length === 0}>
          Provision
        </button>
      </form>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Version or alias</th>
              <th scope="col">Requested</th>
              <th scope="col">Ready</th>
              <th scope="col">Status</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {configs.map((c) => (
              <tr key={c.FunctionArn}>
                <th scope="row">{qualifierOf(c)}</th>
                <td class="num">{c.RequestedProvisionedConcurrentExecutions}</td>
                <td class="num">{c.AllocatedProvisionedConcurrentExecutions}</td>
                <td title={c.StatusReason}>
                  {c.Status}
                  {c.StatusReason ? `: ${c.StatusReason}` : ""}
                </td>
                <td>
                  <button type="button" onClick={() => void remove(qualifierOf(c))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
