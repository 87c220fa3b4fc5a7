// Deleting a function (every version, alias and trigger configuration with it, as
// Lambda's DeleteFunction does): a button that opens a confirmation asking for the
// function's name, typed out, before anything is deleted.
import { useState } from "preact/hooks";
import { deleteFunction } from "../lambda.js";
import { go } from "../route.js";

export function DeleteFunction(props: { name: string }) {
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  if (!asking)
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Delete function
      </button>
    );

  const confirm = async (e: Event) => {
    e.preventDefault();
    if (typed !== props.name) return;
    setBusy(true);
    try {
      await deleteFunction(props.name);
      go({ page: "functions" });
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <form class="confirm" aria-labelledby="delete-title" onSubmit={confirm}>
      <h2 id="delete-title">Delete {props.name}?</h2>
      <p>
        This deletes the function with all its versions and aliases. It cannot be undone. Type the function's name to
        confirm.
      </p>
      <label>
        Function name to delete
        <input
          // biome-ignore lint/a11y/noAutofocus: the dialog's only field, opened by the user just now
          autoFocus
          value={typed}
          autocomplete="off"
          onInput={(ev) => setTyped(ev.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="danger" disabled={typed !== props.name || busy}>
          Delete
        </button>
        <button
          type="button"
          onClick={() => {
            setAsking(false);
            setTyped("");
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
