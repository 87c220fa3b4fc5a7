// The console's entry: mounts the app; everything else loads from here.
import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";

render(<App />, document.getElementById("app") as HTMLElement);
