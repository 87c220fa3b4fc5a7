// Sign-in: an access key id and secret (as `stratus-admin` or CreateAccount printed
// them), exchanged for a session; a wrong pair says so plainly.
import { useState } from "preact/hooks";
import { ApiError, signIn, type Who } from "../api.js";

export function SignIn(props: { notice: string; onSignedIn: (w: Who) => void }) {
  const [keyId, setKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      props.onSignedIn(await signIn(keyId, secret));
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? "That access key id and secret do not match a key of this Stratus. Check both and try again."
          : `Could not sign in: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <h1>Sign in to Stratus</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form onSubmit={submit}>
        <label>
          Access key id
          <input
            name="accessKeyId"
            autocomplete="username"
            required
            value={keyId}
            onInput={(e) => setKeyId(e.currentTarget.value)}
          />
        </label>
        <label>
          Secret access key
          <input
            name="secretAccessKey"
            type="password"
            autocomplete="current-password"
            required
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
