// The web console's rows (BENCH_ONLY=console): what its first load transfers, compressed
// as served, and how long it takes to show an account's 1,000 functions, measured in
// headless Chromium against a live control plane. Beside them in the same run: the same
// files' uncompressed size, and the time the page takes to fetch the list's JSON alone
// (the one /console/api/functions call the page makes, with no rendering). Written over its
// own section of docs/BENCHMARKS.md.
import { availableParallelism, loadavg } from "node:os";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import type { Browser, CDPSession } from "playwright-core";
import { buildConsole, launchBrowser } from "../helpers/console-browser.js";
import { ROLE } from "../helpers/functions.js";
import { startPlatform } from "../helpers/stack.js";
import { nodeFunction } from "../helpers/zip.js";
import { writeReportSection } from "./report-section.js";
import { type Summary, summarize } from "./stats.js";

const FUNCTIONS = Number(process.env.BENCH_CONSOLE_FUNCTIONS ?? 1000);
const REPEATS = Number(process.env.BENCH_CONSOLE_REPEATS ?? 15);
const CREATE_CONCURRENCY = 16;
const START = "<!-- console:start -->";
const END = "<!-- console:end -->";

interface Load {
  /** Bytes on the wire (headers and bodies, as received) per URL, first load only. */
  wire: Map<string, number>;
  /** Milliseconds from the navigation's start to the whole list in the page. */
  listedMs: number;
  /** Bytes on the wire of the API calls made up to then. */
  apiWire: number;
  /** When the app made its first call (the session check): the page loaded and running. */
  booted: number;
  /** When the list's answer arrived. */
  lastPage: number;
  /** When the page's first byte arrived (navigation timing's responseStart). */
  firstByte: number;
  /** When the app's script had arrived. */
  script: number;
}

/** CDP's own count of each response's bytes on the wire (encodedDataLength). */
function wireBytes(cdp: CDPSession): Map<string, number> {
  const urls = new Map<string, string>();
  const out = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId);
    if (url) out.set(url, (out.get(url) ?? 0) + e.encodedDataLength);
  });
  return out;
}

/** One cold visit (a fresh profile: nothing cached) by a user already signed in. */
async function visit(
  browser: Browser,
  endpoint: string,
  cookies: { name: string; value: string }[],
  check = false,
): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const origin = new URL(endpoint);
  await context.addCookies(cookies.map((c) => ({ ...c, domain: origin.hostname, path: "/" })));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const wire = wireBytes(cdp);
  await page.goto(`${endpoint}/console/#/functions`, { waitUntil: "commit" });
  // Listed: the table announces every function (its caption, and aria-rowcount: a long list
  // puts only the rows near the viewport in the document) and its first rows are there;
  // checked on each animation frame, timed by the page's own clock (from navigation start).
  const done = await page.waitForFunction(
    (n) => {
      const table = document.querySelector("table.functions");
      const whole =
        (table?.querySelector("caption")?.textContent ?? "").includes(`of ${n} functions`) &&
        table?.getAttribute("aria-rowcount") === String(n + 1) &&
        table.querySelector("tbody tr[aria-rowindex='2']") !== null;
      return whole ? performance.now() : false;
    },
    FUNCTIONS,
    { polling: "raf", timeout: 60_000 },
  );
  const listedMs = (await done.jsonValue()) as number;
  // Where the time went: the app's first call, and the list's arrival.
  const [booted, lastPage, firstByte, script] = await page.evaluate(() => {
    const api = performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/console/api/session") || e.name.endsWith("/console/api/functions"));
    const first = Math.min(...api.map((e) => e.startTime));
    const pages = api.filter((e) => e.name.endsWith("/console/api/functions"));
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    const js = performance.getEntriesByType("resource").find((e) => /\/assets\/index-[^/]*\.js$/.test(e.name)) as
      | PerformanceResourceTiming
      | undefined;
    return [
      Number.isFinite(first) ? first : 0,
      Math.max(0, ...pages.map((e) => (e as PerformanceResourceTiming).responseEnd)),
      nav?.responseStart ?? 0,
      js?.responseEnd ?? 0,
    ];
  });
  if (check) {
    // The window follows the page: at the bottom, the last function's row is in the document.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const last = `bench-console-${String(FUNCTIONS - 1).padStart(4, "0")}`;
    await page.getByRole("link", { name: last, exact: true }).waitFor({ timeout: 5000 });
  }
  const apiWire = [...wire].filter(([u]) => u.endsWith("/console/api/functions")).reduce((s, [, b]) => s + b, 0);
  const firstLoad = new Map([...wire].filter(([u]) => u.includes("/console/") && !u.includes("/console/api/")));
  await context.close();
  return { wire: firstLoad, listedMs, apiWire, booted, lastPage, firstByte, script };
}

/** The list's JSON alone: the same call the page makes, from the page, without rendering. */
async function listJsonOnly(browser: Browser, endpoint: string, cookies: { name: string; value: string }[]) {
  const context = await browser.newContext();
  const origin = new URL(endpoint);
  await context.addCookies(cookies.map((c) => ({ ...c, domain: origin.hostname, path: "/" })));
  const page = await context.newPage();
  await page.goto(`${endpoint}/console/assets/none.js`); // same origin, nothing of the app running
  const out: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    out.push(
      await page.evaluate(async () => {
        const csrf = /(?:^|;\s*)stratus_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? "";
        const t0 = performance.now();
        const res = await fetch("/console/api/functions", { headers: { "x-stratus-csrf": csrf } });
        const n = ((await res.json()) as { Functions: unknown[] }).Functions.length;
        if (n === 0) throw new Error("no functions listed");
        return performance.now() - t0;
      }),
    );
  }
  await context.close();
  return summarize(out);
}

async function main() {
  buildConsole();
  const stack = await startPlatform();
  const browser = await launchBrowser();
  try {
    const zip = await nodeFunction("exports.handler = async () => ({});");
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        for (let i = next++; i < FUNCTIONS; i = next++) {
          await stack.lambda.send(
            new CreateFunctionCommand({
              FunctionName: `bench-console-${String(i).padStart(4, "0")}`,
              Runtime: "nodejs22.x",
              Role: ROLE,
              Handler: "index.handler",
              Code: { ZipFile: zip },
            }),
          );
        }
      }),
    );
    console.log(`created ${FUNCTIONS} functions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const signIn = await fetch(`${stack.endpoint}/console/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stack.credentials),
    });
    if (signIn.status !== 201) throw new Error(`sign-in refused: ${signIn.status}`);
    const cookies = signIn.headers.getSetCookie().map((c) => {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });

    await visit(browser, stack.endpoint, cookies, true); // warm-up: the server's compressed copies, JIT
    const loadBefore = loadavg()[0] ?? 0;
    const loads: Load[] = [];
    for (let i = 0; i < REPEATS; i++) loads.push(await visit(browser, stack.endpoint, cookies));
    const jsonOnly = await listJsonOnly(browser, stack.endpoint, cookies);
    const load = { before: loadBefore, after: loadavg()[0] ?? 0, cpus: availableParallelism() };

    const first = loads[0] as Load;
    const compressed = [...first.wire.values()].reduce((s, b) => s + b, 0);
    // The same files uncompressed (as a client that accepts no encoding gets them).
    let raw = 0;
    for (const url of first.wire.keys()) {
      const res = await fetch(url, { headers: { "accept-encoding": "identity" } });
      raw += (await res.arrayBuffer()).byteLength;
    }
    const result = {
      files: first.wire.size,
      compressed,
      raw,
      apiWire: first.apiWire,
      listed: summarize(loads.map((l) => l.listedMs)),
      booted: summarize(loads.map((l) => l.booted)),
      lastPage: summarize(loads.map((l) => l.lastPage)),
      firstByte: summarize(loads.map((l) => l.firstByte)),
      script: summarize(loads.map((l) => l.script)),
      jsonOnly,
      load,
    };
    console.log(
      `first load ${compressed} B compressed (${raw} B raw); ${FUNCTIONS} functions listed p50 ${result.listed.p50.toFixed(0)} ms (first byte ${result.firstByte.p50.toFixed(0)}, script ${result.script.p50.toFixed(0)}, booted ${result.booted.p50.toFixed(0)}, last page ${result.lastPage.p50.toFixed(0)}); JSON alone p50 ${jsonOnly.p50.toFixed(0)} ms`,
    );
    await writeReportSection(START, END, render(result));
  } finally {
    await browser.close();
    await stack.stop();
  }
}

const kb = (b: number) => (b / 1000).toFixed(1);
const t = (s: Summary) => `${s.p50.toFixed(0)} | ${s.p99.toFixed(0)} | ${s.mean.toFixed(0)} | ${s.n}`;

function render(r: {
  files: number;
  compressed: number;
  raw: number;
  apiWire: number;
  listed: Summary;
  booted: Summary;
  lastPage: Summary;
  firstByte: Summary;
  script: Summary;
  jsonOnly: Summary;
  load: { before: number; after: number; cpus: number };
}): string {
  return `${START}
## Web console: first load and a list of ${FUNCTIONS.toLocaleString("en")} functions

Headless Chromium (Debian's, driven by playwright-core) against a control plane with
${FUNCTIONS.toLocaleString("en")} functions in one account, each visit in a fresh browser profile (nothing
cached) by a user already signed in, opening \`/console/#/functions\`. Bytes are
Chromium's own count of what crossed the wire (CDP \`encodedDataLength\`: bodies as
sent, with their headers). Beside them, the same files uncompressed (\`Accept-Encoding:
identity\`).

| first load (page and its assets, ${r.files} files) | KB |
| --- | --- |
| as served (brotli) | ${kb(r.compressed)} |
| uncompressed | ${kb(r.raw)} |
| the list's API call after it (JSON, not compressed) | ${kb(r.apiWire)} |

Time from the navigation's start to the table holding all ${FUNCTIONS.toLocaleString("en")} functions
(the page's clock, checked every animation frame), over ${r.listed.n} visits after a
warm-up; beside it, the list's one call alone (\`GET /console/api/functions\`, as the
page makes it, from the same origin with the same session, nothing rendered), in ms:

| | p50 | p99 | mean | n |
| --- | --- | --- | --- | --- |
| navigation → ${FUNCTIONS.toLocaleString("en")} functions listed | ${t(r.listed)} |
| of which: navigation → the page's first byte | ${t(r.firstByte)} |
| of which: navigation → the app's script received | ${t(r.script)} |
| of which: navigation → the app's first call (page loaded and running) | ${t(r.booted)} |
| of which: navigation → the list's answer received | ${t(r.lastPage)} |
| the list's call alone (JSON) | ${t(r.jsonOnly)} |

The list is windowed: past 200 rows only those near the viewport are in the document
(the table announces its full size with \`aria-rowcount\` and each row its place with
\`aria-rowindex\`), so rendering costs the same for 1,000 functions as for 100. The
run checks that scrolling to the bottom brings the last function's row in.

The machine's 1-minute load average was ${r.load.before.toFixed(1)} before the visits and
${r.load.after.toFixed(1)} after them, on ${r.load.cpus} CPUs (it counts the bench's own stack and its 1,000
CreateFunction calls just before, and whatever else ran). Run alone with
\`BENCH_ONLY=console pnpm --filter @stratus/tests exec tsx bench/run.ts\`.
${END}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
