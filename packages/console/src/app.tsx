// The app shell: signed out, the sign-in form; signed in, a header (account, sign
// out) over the page the hash names. A session that ends mid-use returns here.
import { useEffect, useState } from "preact/hooks";
import { ApiError, currentSession, signOut, type Who, whenSessionEnds } from "./api.js";
import { FunctionsList } from "./pages/functions-list.js";
import { SignIn } from "./pages/sign-in.js";
import { UsagePage } from "./pages/usage-page.js";
import { type FunctionTab, useView } from "./route.js";

// The create page (blueprints, zip) and a function's page (its tabs) load when first
// opened: the list, the page most visits start on, waits for neither.
const loadCreate = () => import("./pages/create-function.js");
const loadFunction = () => import("./pages/function-page.js");

function useModule<T>(load: () => Promise<T>): T | Error | undefined {
  const [mod, setMod] = useState<T | Error | undefined>();
  useEffect(() => {
    load().then(setMod, (e: unknown) => setMod(new Error(`This page could not be loaded: ${String(e)}`)));
  }, [load]);
  return mod;
}

function Waiting(props: { failed?: Error }) {
  return props.failed ? (
    <p class="error" role="alert">
      {props.failed.message}
    </p>
  ) : (
    <p class="loading">Loading…</p>
  );
}

function CreatePage(props: { accountId: string }) {
  const m = useModule(loadCreate);
  return m && !(m instanceof Error) ? <m.CreateFunction accountId={props.accountId} /> : <Waiting failed={m} />;
}

function OneFunction(props: { name: string; tab: FunctionTab }) {
  const m = useModule(loadFunction);
  return m && !(m instanceof Error) ? <m.FunctionPage name={props.name} tab={props.tab} /> : <Waiting failed={m} />;
}

export function App() {
  const [who, setWho] = useState<Who | null | undefined>(undefined);
  const [notice, setNotice] = useState("");
  const view = useView();

  useEffect(() => {
    whenSessionEnds(() => {
      setWho(null);
      setNotice("Your session has ended. Sign in again.");
    });
    currentSession().then(setWho, (e: unknown) => {
      if (!(e instanceof ApiError) || e.status !== 401) setNotice(String((e as Error).message));
      setWho(null);
    });
  }, []);

  if (who === undefined) return <p class="loading">Loading…</p>;
  if (who === null)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(w) => {
          setNotice("");
          setWho(w);
        }}
      />
    );

  const leave = async () => {
    await signOut().catch(() => undefined);
    setNotice("You are signed out.");
    setWho(null);
  };

  return (
    <>
      <header class="top">
        <a class="brand" href="#/functions">
          Stratus
        </a>
        <nav aria-label="Main">
          <a href="#/functions">Functions</a>
          <a href="#/usage">Usage</a>
        </nav>
        <span class="who" title={`Access key ${who.accessKeyId}`}>
          Account {who.accountId}
        </span>
        <button type="button" class="link" onClick={leave}>
          Sign out
        </button>
      </header>
      <main>
        {view.page === "functions" && <FunctionsList />}
        {view.page === "usage" && <UsagePage />}
        {view.page === "create" && <CreatePage accountId={who.accountId} />}
        {view.page === "function" && <OneFunction name={view.name} tab={view.tab} />}
      </main>
    </>
  );
}
