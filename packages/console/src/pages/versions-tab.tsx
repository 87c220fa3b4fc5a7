// Versions and aliases: publish $LATEST as an immutable version; create an alias on
// a version, optionally sending a weight of its traffic to a second version; and the
// provisioned concurrency of either (provisioned-section.tsx).
import { useEffect, useState } from "preact/hooks";
import { type Alias, createAlias, type FunctionConfig, listAliases, listVersions, publishVersion } from "../lambda.js";
import { ProvisionedSection } from "./provisioned-section.js";

export function VersionsTab(props: { name: string }) {
  const [versions, setVersions] = useState<FunctionConfig[]>([]);
  const [aliases, setAliases] = useState<Alias[]>([]);
  const [description, setDescription] = useState("");
  const [alias, setAlias] = useState({ name: "", version: "", extra: "", weight: "10" });
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | undefined>();

  const load = async () => {
    try {
      const [v, a] = await Promise.all([listVersions(props.name), listAliases(props.name)]);
      setVersions(v);
      setAliases(a);
    } catch (e) {
      setMessage({ kind: "error", text: (e as Error).message });
    }
  };
  useEffect(() => {
    void load();
  }, [props.name]);

  const published = versions.filter((v) => v.Version !== "$LATEST");

  const publish = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    try {
      const v = await publishVersion(props.name, description);
      setMessage({ kind: "ok", text: `Published version ${v.Version}` });
      setDescription("");
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: `Not published: ${(err as Error).message}` });
    }
  };

  const makeAlias = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    try {
      const weight = Number(alias.weight) / 100;
      await createAlias(props.name, {
        Name: alias.name,
        FunctionVersion: alias.version || "$LATEST",
        ...(alias.extra ? { RoutingConfig: { AdditionalVersionWeights: { [alias.extra]: weight } } } : {}),
      });
      setMessage({ kind: "ok", text: `Created alias ${alias.name}` });
      setAlias({ name: "", version: "", extra: "", weight: "10" });
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: `Alias not created: ${(err as Error).message}` });
    }
  };

  return (
    <div class="versions">
      {message && (
        <p class={message.kind === "error" ? "error" : "ok"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <h2>Versions</h2>
      <form class="inline" onSubmit={publish}>
        <label>
          Version description
          <input name="versionDescription" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <button type="submit">Publish new version</button>
      </form>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Description</th>
              <th scope="col">CodeSha256</th>
              <th scope="col">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.Version}>
                <th scope="row">{v.Version}</th>
                <td>{v.Description}</td>
                <td class="arn">{v.CodeSha256}</td>
                <td>{new Date(v.LastModified).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Aliases</h2>
      <form class="form" onSubmit={makeAlias}>
        <label>
          Alias name
          <input
            name="aliasName"
            required
            value={alias.name}
            onInput={(e) => setAlias({ ...alias, name: e.currentTarget.value })}
          />
        </label>
        <label>
          Version
          <select
            name="aliasVersion"
            value={alias.version}
            onChange={(e) => setAlias({ ...alias, version: e.currentTarget.value })}
          >
            <option value="">$LATEST</option>
            {published.map((v) => (
              <option key={v.Version}>{v.Version}</option>
            ))}
          </select>
        </label>
        <label>
          Additional version (weighted)
          <select
            name="aliasExtra"
            value={alias.extra}
            onChange={(e) => setAlias({ ...alias, extra: e.currentTarget.value })}
          >
            <option value="">(none)</option>
            {published.map((v) => (
              <option key={v.Version}>{v.Version}</option>
            ))}
          </select>
        </label>
        {alias.extra && (
          <label>
            Weight of the additional version (%)
            <input
              name="aliasWeight"
              type="number"
              min="0"
              max="100"
              value={alias.weight}
              onInput={(e) => setAlias({ ...alias, weight: e.currentTarget.value })}
            />
          </label>
        )}
        <button type="submit">Create alias</button>
      </form>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Version</th>
              <th scope="col">Weights</th>
            </tr>
          </thead>
          <tbody>
            {aliases.map((a) => (
              <tr key={a.Name}>
                <th scope="row">{a.Name}</th>
                <td>{a.FunctionVersion}</td>
                <td>
                  {Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {})
                    .map(([v, w]) => `version ${v}: ${Math.round(w * 100)}%`)
                    .join(", ") || "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ProvisionedSection
        name={props.name}
        qualifiers={[...aliases.map((a) => a.Name), ...published.map((v) => v.Version)]}
      />
    </div>
  );
}
