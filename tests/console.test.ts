// The web console end to end, in headless Chromium against a live stack: sign in with
// an access key, create a function from a blueprint, edit and deploy its code (and see
// a concurrent change refused by RevisionId), save and run a test event with its
// result and REPORT figures, see the invocation in the monitoring data, change the
// configuration (Lambda's validation message shown), publish a version and an alias
// (provisioned concurrency set on it, READY, and removed),
// sign out; read the account's usage, see a dead letter and re-drive it, and delete a
// function after confirming its name (the Triggers tab: console-triggers.test.ts).
// What the console did is read back with the AWS SDK and the AWS CLI. The page loads
// nothing from anywhere but the control plane, and breaks no CSP rule. Screenshots of
// each page go to docs/console/.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import {
  buildConsole,
  expectSelfContained as expectPageSelfContained,
  launchBrowser,
  openPage,
  shot,
  signIn,
  type WatchedPage,
} from "./helpers/console-browser.js";
import { deployFunction, uniqueName } from "./helpers/functions.js";
import { until, waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let browser: Browser;
let dir: string;
const fn = uniqueName("console");
const cli = (args: string[]) =>
  runAwsCli({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials }, dir, args);

beforeAll(async () => {
  buildConsole();
  browser = await launchBrowser();
  dir = await mkdtemp(path.join(tmpdir(), "stratus-console-"));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const expectSelfContained = (w: WatchedPage) => expectPageSelfContained(w, stack.endpoint);

describe("serving the console", () => {
  it("sends / to /console/, with a strict CSP, and hashed assets compressed and cached for good", async () => {
    const root = await fetch(`${stack.endpoint}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/console/");
    const page = await fetch(`${stack.endpoint}/console/`, { headers: { "accept-encoding": "br" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    // A nonce of its own on every answer, for the editor's style element and nothing else.
    const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{24})'/.exec(
      page.headers.get("content-security-policy") ?? "",
    )?.[1];
    expect(html).toContain(`<meta name="csp-nonce" content="${nonce}"`);
    const again = await fetch(`${stack.endpoint}/console/`);
    expect(again.headers.get("content-security-policy")).not.toContain(`'nonce-${nonce}'`);
    const script = /src="(\/console\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${stack.endpoint}${script}`, { headers: { "accept-encoding": "gzip, br" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-encoding")).toBe("br");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    // The first load (the page and what it links) stays within its budget: 300 KB compressed.
    const linked = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    let firstLoad = Buffer.byteLength(html);
    for (const a of linked) {
      const r = await fetch(`${stack.endpoint}${a}`, { headers: { "accept-encoding": "br" } });
      expect(r.status).toBe(200);
      firstLoad += Number(r.headers.get("content-length"));
    }
    expect(linked.length).toBeGreaterThanOrEqual(2);
    expect(firstLoad).toBeLessThan(300_000);
    // Only names of the build's shape are served from assets/: nothing can climb out of the folder.
    for (const probe of ["..%2f..%2fpackage.json", "..%2Findex.html", "nothing.js"]) {
      expect((await fetch(`${stack.endpoint}/console/assets/${probe}`)).status).toBe(404);
    }
  });
});

describe("signing in", () => {
  it("refuses a wrong key with a clear message, in the page and at the endpoint", async () => {
    const w = await openPage(browser);
    await signIn(w.page, stack.endpoint, stack.credentials.accessKeyId, "not-the-secret");
    await expect.poll(() => w.page.getByRole("alert").textContent()).toContain("do not match a key of this Stratus");
    await shot(w.page, "sign-in-refused");
    const res = await fetch(`${stack.endpoint}/console/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accessKeyId: "AKIANOSUCHKEY", secretAccessKey: "x" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-amzn-errortype")).toBe("InvalidCredentialsException");
    expect(res.headers.get("set-cookie")).toBeNull();
    await w.context.close();
  });

  it("sets an HttpOnly SameSite=Strict session and demands its CSRF header on every call", async () => {
    const res = await fetch(`${stack.endpoint}/console/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stack.credentials),
    });
    expect(res.status).toBe(201);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("stratus_session="));
    expect(session).toMatch(/HttpOnly; Path=\/; Max-Age=3600; SameSite=Strict$/);
    const jar = cookies.map((c) => c.split(";")[0]).join("; ");
    const csrf = /stratus_csrf=([^;]+)/.exec(jar)?.[1] ?? "";
    const list = (headers: Record<string, string>) =>
      fetch(`${stack.endpoint}/2015-03-31/functions`, { headers: { cookie: jar, ...headers } });
    const refused = await list({});
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toBe("InvalidCsrfTokenException");
    expect((await list({ "x-stratus-csrf": "forged" })).status).toBe(403);
    const ok = await list({ "x-stratus-csrf": csrf });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveProperty("Functions");
    // Signed out: the same cookies are worth nothing any more.
    const out = await fetch(`${stack.endpoint}/console/api/session`, {
      method: "DELETE",
      headers: { cookie: jar, "x-stratus-csrf": csrf },
    });
    expect(out.status).toBe(204);
    expect((await list({ "x-stratus-csrf": csrf })).status).toBe(401);
  });

  it("returns to sign-in when the session has ended", async () => {
    const w = await openPage(browser);
    await signIn(w.page, stack.endpoint, stack.credentials.accessKeyId, stack.credentials.secretAccessKey);
    await w.page.getByRole("heading", { name: "Functions" }).waitFor();
    await stack.db.query("UPDATE console_sessions SET expires_at = now() - interval '1 second'");
    // The next call the page makes finds the session gone: back to the form, saying why.
    // That call may be the list's own metrics request still in flight, or the usage
    // page's, opened here through the hash (a link could be gone from under a click).
    await w.page.evaluate(() => {
      location.hash = "#/usage";
    });
    await w.page.getByRole("heading", { name: "Sign in to Stratus" }).waitFor();
    expect(await w.page.getByRole("status").textContent()).toContain("Your session has ended");
    await w.context.close();
  });
});

describe("the console's browser flow", () => {
  it("creates, edits, deploys, tests, monitors, configures, versions and signs out", async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, stack.endpoint, stack.credentials.accessKeyId, stack.credentials.secretAccessKey);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await expect.poll(() => page.getByText(`Account ${stack.credentials.accountId}`).count()).toBe(1);

    // Create from the hello-node blueprint (the CLI's own).
    await page.getByRole("link", { name: "Create function" }).click();
    await page.getByLabel(/Blueprint hello-node/).check();
    await page.getByLabel("Function name").fill(fn);
    await shot(page, "create-function");
    await page.getByRole("button", { name: "Create function" }).click();
    await page.getByRole("heading", { name: fn }).waitFor();
    await page.locator(".cm-content").waitFor();
    await expect.poll(() => page.locator(".cm-content").textContent()).toContain("saying hello to");

    // Edit the handler and deploy it.
    const code = `export const handler = async (event) => {\nconsole.log("edited in the console");\nreturn { edited: true, name: event.name };\n};\n`;
    await page.locator(".cm-content").click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(code);
    await shot(page, "code");
    await page.getByRole("button", { name: "Deploy" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Deployed");
    const deployed = await stack.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    const { stdout: version } = await cli(["--version"]);
    const binaryFlag = /aws-cli\/2/.test(version) ? ["--cli-binary-format", "raw-in-base64-out"] : [];
    const out = path.join(dir, "out.json");
    const viaCli = await cli([
      "lambda",
      "invoke",
      "--function-name",
      fn,
      ...binaryFlag,
      "--payload",
      '{"name":"cli"}',
      out,
    ]);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ edited: true, name: "cli" });

    // A change made meanwhile elsewhere: the next deployment from this page is refused, clearly.
    await page.locator(".cm-content").click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.insertText("// another edit\n");
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: "changed elsewhere" }),
    );
    await page.getByRole("button", { name: "Deploy" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toContain("the function changed since this code was opened");
    const after = await stack.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    expect(after.Configuration?.CodeSha256).toBe(deployed.Configuration?.CodeSha256);

    // Test: save an event (kept on the server), run it, see the result and the REPORT figures.
    await page.getByRole("link", { name: "Test" }).click();
    await page.getByLabel("Event name").fill("hello-event");
    await page.getByLabel("Event JSON").fill('{"name":"console"}');
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Saved test event hello-event");
    await page.reload();
    await page.getByLabel("Saved events").selectOption("hello-event");
    await expect.poll(() => page.getByLabel("Event JSON").inputValue()).toBe('{"name":"console"}');
    await page.getByRole("button", { name: "Test" }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toContain("Execution succeeded");
    expect(await result.locator("pre.payload").textContent()).toBe('{"edited":true,"name":"console"}');
    expect(await result.locator(".report").textContent()).toMatch(/Billed Duration\d+ ms/);
    expect(await result.locator("pre.log").textContent()).toContain("edited in the console");
    expect(await result.locator("pre.log").textContent()).toMatch(/REPORT RequestId: [0-9a-f-]{36}/);
    await shot(page, "test");

    // Monitor: the invocations show up in the charts' data.
    await page.getByRole("link", { name: "Monitor" }).click();
    await until(
      "invocations in the console's metrics",
      async () => {
        await page.getByRole("button", { name: "Refresh", exact: true }).click();
        const text = (await page.locator('[data-metric="invocations"]').textContent()) ?? "";
        return /Invocations: [1-9]/.test(text);
      },
      30_000,
      1000,
    );
    await page.locator(".chart canvas").first().waitFor();
    await shot(page, "monitor");

    // Configuration: Lambda's own validation message, then a saved change.
    await page.getByRole("link", { name: "Configuration" }).click();
    await page.getByLabel("Memory (MB)").fill("100");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("MemorySize");
    await page.getByLabel("Memory (MB)").fill("256");
    await page.getByRole("button", { name: "Add environment variable" }).click();
    await page.getByLabel("Key").fill("GREETING");
    await page.getByLabel("Value").fill("hi");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Configuration saved");
    const conf = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(conf.MemorySize).toBe(256);
    expect(conf.Environment?.Variables).toEqual({ GREETING: "hi" });
    await shot(page, "configuration");

    // Versions and aliases: publish, then an alias on it, read back by the AWS CLI.
    await page.getByRole("link", { name: "Versions and aliases" }).click();
    await page.getByLabel("Version description").fill("from the console");
    await page.getByRole("button", { name: "Publish new version" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Published version 1");
    await page.getByLabel("Alias name").fill("live");
    await page.locator('select[name="aliasVersion"]').selectOption("1");
    await page.getByRole("button", { name: "Create alias" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Created alias live");
    const alias = await cli(["lambda", "get-alias", "--function-name", fn, "--name", "live"]);
    expect(alias.code).toBe(0);
    expect(JSON.parse(alias.stdout)).toMatchObject({ Name: "live", FunctionVersion: "1" });
    // Provisioned concurrency on the alias: READY in the table once its container has run its init.
    const provisioned = page.locator("section.provisioned");
    await provisioned.getByLabel("Version or alias").selectOption("live");
    await provisioned.getByLabel("Provisioned concurrency").fill("1");
    await provisioned.getByRole("button", { name: "Provision" }).click();
    await expect.poll(() => provisioned.getByRole("status").textContent()).toContain("Provisioning 1 for live");
    const live = provisioned.getByRole("row").filter({ hasText: "live" });
    await expect.poll(() => live.textContent(), { timeout: 30_000 }).toContain("READY");
    const pc = await cli([
      "lambda",
      "get-provisioned-concurrency-config",
      "--function-name",
      fn,
      "--qualifier",
      "live",
    ]);
    expect(JSON.parse(pc.stdout)).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 1, Status: "READY" });
    await shot(page, "versions");
    await live.getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => provisioned.getByRole("status").textContent()).toContain("Removed");
    expect((await cli(["lambda", "list-provisioned-concurrency-configs", "--function-name", fn])).stdout).toContain(
      '"ProvisionedConcurrencyConfigs": []',
    );

    // The list: the function with its runtime, memory and last hour's invocations.
    await page.getByRole("link", { name: "Functions" }).first().click();
    const row = page.getByRole("row").filter({ hasText: fn });
    await expect.poll(() => row.textContent()).toContain("nodejs24.x");
    await expect.poll(() => row.locator("td.num").nth(1).textContent(), { timeout: 20_000 }).toMatch(/^[1-9]/);
    await shot(page, "functions");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "functions-phone");
    await page.setViewportSize({ width: 1280, height: 860 });

    // Sign out: back to the form, and the old cookies open nothing.
    const cookies = await w.context.cookies();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Stratus" }).waitFor();
    await shot(page, "sign-in");
    const jar = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const csrf = cookies.find((c) => c.name === "stratus_csrf")?.value ?? "";
    const stale = await fetch(`${stack.endpoint}/console/api/session`, {
      headers: { cookie: jar, "x-stratus-csrf": csrf },
    });
    expect(stale.status).toBe(401);
    expectSelfContained(w);
    await w.context.close();
  }, 180_000);

  it("keeps saved test events to the account", async () => {
    const other = await stack.newAccount(uniqueName("other"));
    const res = await fetch(`${stack.endpoint}/console/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(other),
    });
    const jar = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const csrf = /stratus_csrf=([^;]+)/.exec(jar)?.[1] ?? "";
    const theirs = await fetch(`${stack.endpoint}/console/api/functions/${fn}/test-events`, {
      headers: { cookie: jar, "x-stratus-csrf": csrf },
    });
    expect(theirs.status).toBe(404);
    const put = await fetch(`${stack.endpoint}/console/api/functions/${fn}/test-events/x`, {
      method: "PUT",
      headers: { cookie: jar, "x-stratus-csrf": csrf, "content-type": "application/json" },
      body: JSON.stringify({ Payload: "{}" }),
    });
    expect(put.status).toBe(404);
    const ours = await stack.db.query("SELECT name FROM console_test_events WHERE function_name = $1", [fn]);
    expect(ours.rows).toEqual([{ name: "hello-event" }]);
  });
});

describe("usage, dead letters and deletion", () => {
  it("shows the account's usage, re-drives a dead letter, and deletes a function once confirmed", async () => {
    const broken = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: {
        "index.js": "exports.handler = async () => { console.log('ATTEMPT'); throw new Error('broken on purpose'); };",
      },
    });
    await stack.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: broken, MaximumRetryAttempts: 0 }));
    const sent = await stack.lambda.send(
      new InvokeCommand({ FunctionName: broken, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = sent.$metadata.requestId as string;
    const statusOf = async () =>
      (await stack.db.query<{ status: string }>("SELECT status FROM async_invocations WHERE id = $1", [id])).rows[0]
        ?.status;
    await until("the event dead-lettered", async () => (await statusOf()) === "dead_lettered", 30_000);
    const attempts = async () =>
      (
        await stack.db.query<{ log: string }>("SELECT log FROM invocation_logs WHERE function_name = $1", [broken])
      ).rows.filter((r) => r.log.includes("ATTEMPT")).length;
    await until("the attempt's log stored", async () => (await attempts()) === 1, 20_000);

    const w = await openPage(browser);
    const { page } = w;
    await signIn(page, stack.endpoint, stack.credentials.accessKeyId, stack.credentials.secretAccessKey);
    await page.getByRole("heading", { name: "Functions" }).waitFor();

    // Monitor: the dead letter with its error, re-driven from the page: it runs once more.
    await page.goto(`${stack.endpoint}/console/#/functions/${broken}/monitor`);
    const dead = page.getByRole("table", { name: "Dead letters" }).getByRole("row").filter({ hasText: id });
    await expect.poll(() => dead.textContent(), { timeout: 20_000 }).toContain("dead_lettered");
    expect(await dead.textContent()).toContain("broken on purpose");
    await shot(page, "dead-letters");
    await page.getByRole("button", { name: `Re-drive ${id}` }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(`Re-drove ${id}`);
    await until("the re-driven event's second run", async () => (await attempts()) === 2, 30_000);
    await until("dead-lettered again", async () => (await statusOf()) === "dead_lettered", 30_000);

    // Usage: the page's figures are the usage API's own (the report `stratus usage` reads).
    type Report = { Functions: { FunctionName: string; Requests: number; GbSeconds: number }[] };
    const ours = await waitFor(
      async () => {
        const api = await signedFetch(stack.endpoint, stack.region, stack.credentials, "/stratus/2026-11-01/usage");
        const line = ((await api.json()) as Report).Functions.find((f) => f.FunctionName === broken);
        return line && line.Requests >= 1 ? line : undefined;
      },
      30_000,
      { what: "the function in the usage API", intervalMs: 500 },
    );
    await page.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Usage" }).waitFor();
    const table = page.getByRole("table", { name: "Usage by function" });
    const line = table.getByRole("row").filter({ hasText: broken });
    await expect.poll(() => line.locator("td").first().textContent()).toBe(String(ours.Requests));
    expect(await line.locator("td").nth(2).textContent()).toBe(ours.GbSeconds.toFixed(3));
    await page.getByLabel("Last 24 hours").check();
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => line.locator("td").first().textContent()).toBe(String(ours.Requests));
    expect(await table.locator("tfoot").textContent()).toContain("Total");
    await shot(page, "usage");

    // Delete: nothing happens until the name is typed out; then the function is gone.
    await page.goto(`${stack.endpoint}/console/#/functions/${broken}/code`);
    await page.getByRole("button", { name: "Delete function" }).click();
    const confirm = page.getByRole("button", { name: "Delete", exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel("Function name to delete").fill(`${broken}-not`);
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByLabel("Function name to delete").count()).toBe(0);
    expect(
      (await stack.lambda.send(new GetFunctionCommand({ FunctionName: broken }))).Configuration?.FunctionName,
    ).toBe(broken);
    await page.getByRole("button", { name: "Delete function" }).click();
    await page.getByLabel("Function name to delete").fill(broken);
    await shot(page, "delete-function");
    await page.getByLabel("Function name to delete").press("Enter");
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await expect(stack.lambda.send(new GetFunctionCommand({ FunctionName: broken }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const viaCli = await cli(["lambda", "get-function", "--function-name", broken]);
    expect(viaCli.code).not.toBe(0);
    expect(viaCli.stderr).toContain("ResourceNotFoundException");
    await expect.poll(() => page.getByRole("row").filter({ hasText: broken }).count()).toBe(0);
    expectSelfContained(w);
    await w.context.close();
  }, 180_000);
});
