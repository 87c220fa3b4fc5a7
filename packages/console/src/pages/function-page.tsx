// One function: its summary over tabs for code, testing, monitoring, configuration,
// versions and aliases, and triggers, and its deletion (with a confirmation). The tabs share the
// function's detail and reload it after a change, so each write carries the latest RevisionId.
import { useCallback, useEffect, useState } from "preact/hooks";
import { type FunctionDetail, getFunction } from "../lambda.js";
import { type FunctionTab, hrefFor, TABS } from "../route.js";
import { CodeTab } from "./code-tab.js";
import { ConfigTab } from "./config-tab.js";
import { DeleteFunction } from "./delete-function.js";
import { MonitorTab } from "./monitor-tab.js";
import { TestTab } from "./test-tab.js";
import { TriggersTab } from "./triggers-tab.js";
import { VersionsTab } from "./versions-tab.js";

const TITLES: Record<FunctionTab, string> = {
  code: "Code",
  test: "Test",
  monitor: "Monitor",
  configuration: "Configuration",
  versions: "Versions and aliases",
  triggers: "Triggers",
};

export function FunctionPage(props: { name: string; tab: FunctionTab }) {
  const [detail, setDetail] = useState<FunctionDetail | undefined>();
  const [error, setError] = useState("");
  const reload = useCallback(async () => {
    try {
      setDetail(await getFunction(props.name));
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  }, [props.name]);
  useEffect(() => {
    setDetail(undefined);
    void reload();
  }, [reload]);

  const c = detail?.Configuration;
  return (
    <section aria-labelledby="fn-title">
      <p class="crumbs">
        <a href="#/functions">Functions</a> / {props.name}
      </p>
      <div class="bar">
        <h1 id="fn-title">{props.name}</h1>
        {detail && <DeleteFunction name={props.name} />}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {c && (
        <dl class="summary">
          <div>
            <dt>Runtime</dt>
            <dd>{c.Runtime ?? c.PackageType}</dd>
          </div>
          <div>
            <dt>Handler</dt>
            <dd>{c.Handler}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd>{c.MemorySize} MB</dd>
          </div>
          <div>
            <dt>Last modified</dt>
            <dd>{new Date(c.LastModified).toLocaleString()}</dd>
          </div>
          <div>
            <dt>ARN</dt>
            <dd class="arn">{c.FunctionArn}</dd>
          </div>
        </dl>
      )}
      <nav class="tabs" aria-label="Function sections">
        {TABS.map((t) => (
          <a
            key={t}
            href={hrefFor({ page: "function", name: props.name, tab: t })}
            aria-current={t === props.tab ? "page" : undefined}
          >
            {TITLES[t]}
          </a>
        ))}
      </nav>
      {detail && (
        <div class="panel">
          {props.tab === "code" && <CodeTab detail={detail} reload={reload} />}
          {props.tab === "test" && <TestTab name={props.name} />}
          {props.tab === "monitor" && <MonitorTab name={props.name} />}
          {props.tab === "configuration" && <ConfigTab detail={detail} reload={reload} />}
          {props.tab === "versions" && <VersionsTab name={props.name} />}
          {props.tab === "triggers" && <TriggersTab name={props.name} arn={c?.FunctionArn ?? ""} />}
        </div>
      )}
    </section>
  );
}
