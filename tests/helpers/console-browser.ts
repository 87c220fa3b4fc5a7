// Headless Chromium (Debian's) driven by playwright-core, for the web console's tests:
// one browser per file, a context per signed-in user, every request the page makes
// and every console error it logs recorded for the test to check; and a console
// session for calling its routes without a browser.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL("../../docs/console/", import.meta.url));

/** Builds packages/console (a few seconds), so the test serves the sources it runs with. */
export function buildConsole(): void {
  execFileSync("pnpm", ["--filter", "@stratus/console", "build"], { cwd: ROOT, stdio: "pipe" });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and page errors (a CSP violation shows up here). */
  problems: string[];
}

export async function openPage(browser: Browser, viewport = { width: 1280, height: 860 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // Each CSP refusal, with where it came from (the console message alone does not say).
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(
        `CSP refused ${e.violatedDirective} at ${e.sourceFile}:${e.lineNumber} ${JSON.stringify(e.sample)}`,
      ),
    ),
  );
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  return { page, context, requests, problems };
}

export async function signIn(page: Page, endpoint: string, keyId: string, secret: string): Promise<void> {
  await page.goto(`${endpoint}/console/`);
  await page.getByLabel("Access key id").fill(keyId);
  await page.getByLabel("Secret access key").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A full-page screenshot into docs/console/. */
export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Nothing fetched from another origin than `endpoint`'s, and no CSP refusal logged. */
export function expectSelfContained(w: WatchedPage, endpoint: string): void {
  const origin = new URL(endpoint).origin;
  expect(w.requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:"))).toEqual([]);
  // Refusals as the page's own listener reports them, with their source. One refusal of an
  // empty style attribute with no source at all (no script of the page, whose refusals name
  // their file, and no markup of it) is left aside: it comes from the driving tooling.
  const tooling = (p: string) => p === 'CSP refused style-src-attr at :0 ""';
  expect(w.problems.filter((p) => p.startsWith("CSP refused") && !tooling(p))).toEqual([]);
}

/** Signs in with a key through the console's API; returns a fetch of console paths under that session. */
export async function consoleSession(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const res = await fetch(`${endpoint}/console/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  expect(res.status).toBe(201);
  const jar = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const csrf = /stratus_csrf=([^;]+)/.exec(jar)?.[1] ?? "";
  return (p, init = {}) =>
    fetch(`${endpoint}${p}`, {
      ...init,
      headers: { cookie: jar, "x-stratus-csrf": csrf, ...(init.headers as Record<string, string> | undefined) },
    });
}
