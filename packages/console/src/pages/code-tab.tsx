// Code: the function's package, downloaded from its code location and unzipped here,
// edited file by file, zipped again and deployed with UpdateFunctionCode under the
// RevisionId it was opened at, so that a deployment made meanwhile is not overwritten.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api.js";
import type { CodeEditor } from "../editor.js";
import { type FunctionDetail, updateCode } from "../lambda.js";
import { type CodeFiles, toBase64, unzipCode, zipCode } from "../zip.js";

async function download(location: string): Promise<Uint8Array> {
  // Same origin by construction: only the path and query are fetched, whatever host the link names.
  const u = new URL(location, window.location.href);
  const res = await fetch(u.pathname + u.search, { credentials: "same-origin" });
  if (!res.ok) throw new Error(`The code could not be downloaded (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

export function CodeTab(props: { detail: FunctionDetail; reload: () => Promise<void> }) {
  const c = props.detail.Configuration;
  const [files, setFiles] = useState<CodeFiles | undefined>();
  const [current, setCurrent] = useState("");
  const [revision, setRevision] = useState(c.RevisionId);
  const [dirty, setDirty] = useState(false);
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<CodeEditor | undefined>(undefined);
  const filesRef = useRef<CodeFiles>({});
  const currentRef = useRef("");

  useEffect(() => {
    let live = true;
    (async () => {
      if (!props.detail.Code.Location) {
        setMessage({ kind: "error", text: "This function's code cannot be edited here (it is not a zip package)." });
        return;
      }
      const [zip, mod] = await Promise.all([download(props.detail.Code.Location), import("../editor.js")]);
      if (!live || !host.current) return;
      const un = unzipCode(zip);
      if (!un.ok) {
        setMessage({ kind: "error", text: `${un.reason}. Deploy it with the AWS CLI or stratus deploy instead.` });
        return;
      }
      filesRef.current = un.files;
      setFiles({ ...un.files });
      editor.current = mod.createEditor(host.current, "Code", (text) => {
        filesRef.current[currentRef.current] = text;
        setDirty(true);
      });
      const handlerFile = Object.keys(un.files).find((f) => f.startsWith(`${(c.Handler ?? "").split(".")[0]}.`));
      open(handlerFile ?? Object.keys(un.files)[0] ?? "");
    })().catch((e: Error) => live && setMessage({ kind: "error", text: e.message }));
    return () => {
      live = false;
      editor.current?.destroy();
    };
    // Fetched again only when the code changed (the link itself is new on every read).
  }, [c.CodeSha256]);

  const open = (path: string) => {
    currentRef.current = path;
    setCurrent(path);
    editor.current?.setDoc(path, filesRef.current[path] ?? "");
  };

  const deploy = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const out = await updateCode(c.FunctionName, toBase64(zipCode(filesRef.current)), revision);
      setRevision(out.RevisionId);
      setDirty(false);
      setMessage({ kind: "ok", text: `Deployed. CodeSha256 ${out.CodeSha256}` });
      void props.reload();
    } catch (e) {
      const raced = e instanceof ApiError && e.type === "PreconditionFailedException";
      setMessage({
        kind: "error",
        text: raced
          ? "Not deployed: the function changed since this code was opened (another deployment or configuration change). Your edits are kept here; copy them, reload the page to get the latest code, and apply them again."
          : `Not deployed: ${(e as Error).message}`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="code">
      <div class="bar">
        <h2>Code source</h2>
        <button type="button" onClick={deploy} disabled={busy || !files || !dirty}>
          {busy ? "Deploying…" : "Deploy"}
        </button>
      </div>
      {message && (
        <p class={message.kind === "error" ? "error" : "ok"} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      {!files && !message && <p class="loading">Loading code…</p>}
      <div class="ide">
        {files && (
          <ul class="files" aria-label="Files">
            {Object.keys(files).map((f) => (
              <li key={f}>
                <button
                  type="button"
                  class="link"
                  aria-current={f === current ? "true" : undefined}
                  onClick={() => open(f)}
                >
                  {f}
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="editor" ref={host} />
      </div>
    </div>
  );
}
