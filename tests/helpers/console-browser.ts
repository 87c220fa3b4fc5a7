// Headless Chromium (Debian's) driven by playwright-core, for the web console's tests:
// one browser per file, a context per signed-in user, every request the page makes
// and every console error it logs recorded for the test to check.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

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
