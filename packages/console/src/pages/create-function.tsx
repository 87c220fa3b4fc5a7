// Create function: from a blueprint (the CLI's own) or from scratch (one handler file
// for the chosen runtime). The code is zipped here and sent as CreateFunction's
// ZipFile; Lambda's validation message is shown as it comes.
import { useState } from "preact/hooks";
import { blueprints } from "../blueprints.js";
import { createFunction } from "../lambda.js";
import { go } from "../route.js";
import { toBase64, zipCode } from "../zip.js";

type Start = { handler: string; files: Record<string, string> };
const NODE: Start = {
  handler: "index.handler",
  files: { "index.mjs": "export const handler = async (event) => {\n  return { statusCode: 200, body: 'ok' };\n};\n" },
};
const SCRATCH: Record<string, Start> = {
  "nodejs24.x": NODE,
  "nodejs22.x": NODE,
  "python3.11": {
    handler: "lambda_function.lambda_handler",
    files: {
      "lambda_function.py": "def lambda_handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n",
    },
  },
};

export function CreateFunction(props: { accountId: string }) {
  const [source, setSource] = useState(blueprints[0]?.name ?? "scratch");
  const [name, setName] = useState("");
  const [runtime, setRuntime] = useState("nodejs24.x");
  const [role, setRole] = useState(`arn:aws:iam::${props.accountId}:role/stratus-function`);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    const bp = blueprints.find((b) => b.name === source);
    const start = bp ?? { runtime, memory: 128, timeout: 3, ...(SCRATCH[runtime] ?? NODE) };
    try {
      await createFunction({
        FunctionName: name,
        Runtime: start.runtime,
        Handler: start.handler,
        Role: role,
        MemorySize: start.memory,
        Timeout: start.timeout,
        Code: { ZipFile: toBase64(zipCode(start.files)) },
      });
      go({ page: "function", name, tab: "code" });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create function</h1>
      <form onSubmit={submit} class="form">
        <fieldset>
          <legend>Start from</legend>
          {blueprints.map((b) => (
            <label class="choice" key={b.name}>
              <input
                type="radio"
                name="source"
                value={b.name}
                checked={source === b.name}
                onChange={() => setSource(b.name)}
              />
              Blueprint <strong>{b.name}</strong> ({b.runtime})
            </label>
          ))}
          <label class="choice">
            <input
              type="radio"
              name="source"
              value="scratch"
              checked={source === "scratch"}
              onChange={() => setSource("scratch")}
            />
            Author from scratch
          </label>
        </fieldset>
        <label>
          Function name
          <input
            name="functionName"
            required
            pattern="[A-Za-z0-9_-]{1,64}"
            title="1 to 64 letters, digits, hyphens or underscores"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        {source === "scratch" && (
          <label>
            Runtime
            <select value={runtime} onChange={(e) => setRuntime(e.currentTarget.value)}>
              {Object.keys(SCRATCH).map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          Execution role
          <input name="role" required value={role} onInput={(e) => setRole(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create function"}
        </button>
      </form>
    </section>
  );
}
