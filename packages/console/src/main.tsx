// The console's entry: mounts the app (and, on the list page, starts its fetch).
import { render } from "preact";
import { App } from "./app.js";
import { prefetchFunctions } from "./lambda.js";
import { parseHash } from "./route.js";
import "./styles.css";

// The list page's data is fetched alongside the session check, not after it.
if (parseHash(location.hash).page === "functions") prefetchFunctions();
render(<App />, document.getElementById("app") as HTMLElement);
