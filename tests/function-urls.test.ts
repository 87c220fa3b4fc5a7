// Lambda function URLs end to end on real Docker: the five config operations through
// the JS SDK and the AWS CLI, a handler written for URLs served unchanged through the
// path form and a Host-routed request, AWS_IAM checked for real (curl --aws-sigv4, a
// presigned URL, unsigned and wrongly signed requests, another account's key only
// once the function's policy grants it), NONE served only while the policy grants
// lambda:InvokeFunctionUrl to anyone, CORS preflight answered by the platform, 502 on a function error, 429 when the function's
// reserved concurrency is exhausted, and bad input refused with nothing stored.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { LambdaFunctionURLEvent, LambdaFunctionURLEventWithIAMAuthorizer } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { metricValue } from "./helpers/metrics.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip } from "./helpers/zip.js";

const run = promisify(execFile);
const stack = useStack();
let dir: string;
let zip: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-urls-"));
  zip = await makeZip({
    "index.js": await readFile(new URL("./fixtures/function-urls/index.js", import.meta.url), "utf8"),
  });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function deploy(): Promise<string> {
  const name = `url-${randomBytes(4).toString("hex")}`;
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs22.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Code: { ZipFile: zip },
    }),
  );
  return name;
}

/** Lets anyone call `name`'s (at `qualifier`) NONE URL, as add-permission does on Lambda. */
const grantPublic = (name: string, qualifier?: string) =>
  stack.lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      ...(qualifier ? { Qualifier: qualifier } : {}),
      StatementId: "public-url",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      FunctionUrlAuthType: "NONE",
    }),
  );

/** A function with a URL; a NONE one is granted to anyone. */
async function withUrl(authType: "NONE" | "AWS_IAM", more: Record<string, unknown> = {}) {
  const name = await deploy();
  const out = await stack.lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType, ...more }),
  );
  if (authType === "NONE") await grantPublic(name);
  return { name, url: out.FunctionUrl as string };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** A plain HTTP request (node:http, so the Host header can be set). */
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

const eventOf = (a: Answer) => (JSON.parse(a.text) as { event: LambdaFunctionURLEvent }).event;
const urlCount = async (name: string) =>
  Number((await stack.db.query("SELECT count(*) FROM function_urls WHERE function_name = $1", [name])).rows[0].count);

describe("function URL configs through the JS SDK", () => {
  it("creates, reads, updates, lists and deletes a URL config", async () => {
    const name = await deploy();
    const created = await stack.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.FunctionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[a-z0-9]{32}\/$/);
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`);
    expect(created).toMatchObject({ AuthType: "NONE", InvokeMode: "BUFFERED" });
    expect(created.CreationTime).toBeTruthy();

    const got = await stack.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }));
    expect(got).toMatchObject({ FunctionUrl: created.FunctionUrl, AuthType: "NONE", InvokeMode: "BUFFERED" });
    expect(got.LastModifiedTime).toBeTruthy();
    expect(got.Cors).toBeUndefined();

    const cors = { AllowOrigins: ["https://app.example.com"], AllowMethods: ["GET"], MaxAge: 60 };
    const updated = await stack.lambda.send(
      new UpdateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "AWS_IAM", Cors: cors }),
    );
    expect(updated).toMatchObject({ FunctionUrl: created.FunctionUrl, AuthType: "AWS_IAM", Cors: cors });
    // An empty Cors block (Terraform's way to drop the cors block) removes it; the rest stays.
    const uncors = await stack.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, Cors: {} }));
    expect(uncors.Cors).toBeUndefined();
    expect((await stack.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).Cors).toBeUndefined();
    await stack.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: name, Cors: cors }));

    const listed = await stack.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name }));
    expect(listed.FunctionUrlConfigs?.map((c) => c.FunctionUrl)).toEqual([created.FunctionUrl]);

    await expect(
      stack.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" })),
    ).rejects.toBeInstanceOf(ResourceConflictException);

    await stack.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: name }));
    await expect(stack.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(await urlCount(name)).toBe(0);
  });

  it("serves a URL for an alias, and removes URLs with their alias and function", async () => {
    const name = await deploy();
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    const forAlias = await stack.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: "live", AuthType: "NONE" }),
    );
    expect(forAlias.FunctionArn).toMatch(new RegExp(`:function:${name}:live$`));
    await grantPublic(name, "live");
    const answer = await request(`${forAlias.FunctionUrl}hi`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).version).toBe("1");
    await stack.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
    const listed = await stack.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name, MaxItems: 1 }));
    expect(listed.FunctionUrlConfigs).toHaveLength(1);
    expect(listed.NextMarker).toBeTruthy();

    await stack.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    expect(await urlCount(name)).toBe(1);
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect(await urlCount(name)).toBe(0);
  });

  it.each([
    ["a bad AuthType", { AuthType: "PUBLIC" }, /AuthType/],
    ["a bad Cors", { AuthType: "NONE", Cors: { MaxAge: 100000 } }, /MaxAge/],
    ["bad Cors methods", { AuthType: "NONE", Cors: { AllowMethods: ["FETCH"] } }, /AllowMethods/],
    ["a version qualifier", { AuthType: "NONE", Qualifier: "1" }, /version/],
    ["an unknown InvokeMode", { AuthType: "NONE", InvokeMode: "FAST" }, /InvokeMode/],
  ])("refuses %s with nothing stored", async (_what, input, message) => {
    const name = await deploy();
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const err = await stack.lambda
      .send(new CreateFunctionUrlConfigCommand({ FunctionName: name, ...(input as { AuthType: "NONE" }) }))
      .catch((e: Error) => e);
    expect((err as Error).name).toBe("InvalidParameterValueException");
    expect((err as Error).message).toMatch(message);
    expect(await urlCount(name)).toBe(0);
  });

  it("refuses a URL for another account's function as not found, with nothing stored", async () => {
    const name = await deploy();
    const other = stack.clientFor(await stack.newAccount(`other-${randomBytes(3).toString("hex")}`));
    for (const FunctionName of [name, `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`]) {
      await expect(
        other.send(new CreateFunctionUrlConfigCommand({ FunctionName, AuthType: "NONE" })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
    expect(await urlCount(name)).toBe(0);
  });
});

describe("function URL configs through the AWS CLI", () => {
  it("runs the five operations", async () => {
    const name = await deploy();
    const aws = (...args: string[]) => runAwsCli(stack, dir, ["lambda", ...args]);
    const created = await aws("create-function-url-config", "--function-name", name, "--auth-type", "NONE");
    expect(created.code, created.stderr).toBe(0);
    const url = JSON.parse(created.stdout).FunctionUrl as string;
    expect(url).toMatch(/\/[a-z0-9]{32}\/$/);
    const got = await aws("get-function-url-config", "--function-name", name);
    expect(JSON.parse(got.stdout)).toMatchObject({ FunctionUrl: url, AuthType: "NONE", InvokeMode: "BUFFERED" });
    const updated = await aws(
      "update-function-url-config",
      "--function-name",
      name,
      "--cors",
      '{"AllowOrigins":["*"],"AllowMethods":["GET","POST"]}',
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).Cors).toEqual({ AllowOrigins: ["*"], AllowMethods: ["GET", "POST"] });
    const listed = await aws("list-function-url-configs", "--function-name", name);
    expect(JSON.parse(listed.stdout).FunctionUrlConfigs).toHaveLength(1);
    const bad = await aws("create-function-url-config", "--function-name", name, "--auth-type", "NONE");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("ResourceConflictException");
    const deleted = await aws("delete-function-url-config", "--function-name", name);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await aws("get-function-url-config", "--function-name", name)).stderr).toContain(
      "ResourceNotFoundException",
    );
  });
});

describe("calling a function URL", () => {
  it("serves a NONE URL only while the function's policy grants lambda:InvokeFunctionUrl to anyone (AWS CLI)", async () => {
    const name = await deploy();
    const { FunctionUrl: url } = await stack.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }),
    );
    const aws = (...args: string[]) => runAwsCli(stack, dir, ["lambda", ...args]);
    const before = await request(`${url}x`);
    expect(before.status).toBe(403);
    expect(JSON.parse(before.text)).toEqual({ Message: "Forbidden" });
    const added = await aws(
      "add-permission",
      "--function-name",
      name,
      "--statement-id",
      "public-url",
      "--action",
      "lambda:InvokeFunctionUrl",
      "--principal",
      "*",
      "--function-url-auth-type",
      "NONE",
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await request(`${url}x`)).status).toBe(200);
    const removed = await aws("remove-permission", "--function-name", name, "--statement-id", "public-url");
    expect(removed.code, removed.stderr).toBe(0);
    expect((await request(`${url}x`)).status).toBe(403);
  });

  it("serves a URL handler unchanged through the path form", async () => {
    const { url } = await withUrl("NONE");
    const id = new URL(url).pathname.slice(1, 33);
    const answer = await request(`${url}hello/world?x=1&x=2&y=z`, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: "c1=v1; c2=v2", "x-multi": "a" },
      body: "hi there",
    });
    expect(answer.status).toBe(201);
    expect(answer.headers["x-handler"]).toBe("urls");
    expect(answer.headers["set-cookie"]).toEqual(["session=abc; Path=/", "theme=dark"]);
    expect(answer.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    const event = eventOf(answer);
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/hello/world",
      rawQueryString: "x=1&x=2&y=z",
      cookies: ["c1=v1", "c2=v2"],
      queryStringParameters: { x: "1,2", y: "z" },
      body: "hi there",
      isBase64Encoded: false,
      requestContext: {
        accountId: "anonymous",
        apiId: id,
        domainPrefix: id,
        http: { method: "POST", path: "/hello/world", protocol: "HTTP/1.1", sourceIp: "127.0.0.1" },
        requestId: answer.headers["x-amzn-requestid"],
        routeKey: "$default",
        stage: "$default",
      },
    });
    expect(event.headers["x-multi"]).toBe("a");
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.requestContext).not.toHaveProperty("authorizer");

    const bare = eventOf(await request(url.slice(0, -1)));
    expect(bare.rawPath).toBe("/");
    expect(bare).not.toHaveProperty("body");
    expect(bare).not.toHaveProperty("queryStringParameters");
    expect(bare).not.toHaveProperty("cookies");
  });

  it("routes by the Host header", async () => {
    const { url } = await withUrl("NONE");
    const id = new URL(url).pathname.slice(1, 33);
    const host = `${id}.lambda-url.us-east-1.stratus.test`;
    const answer = await request(`${stack.controlPlane.urlEndpoint}/via/host`, { headers: { host } });
    expect(answer.status).toBe(200);
    const event = eventOf(answer);
    expect(event.rawPath).toBe("/via/host");
    expect(event.requestContext.domainName).toBe(host);
    expect(event.requestContext.apiId).toBe(id);
  });

  it("maps each result shape, and answers a function error with 502", async () => {
    const { url } = await withUrl("NONE");
    expect(await request(`${url}plain`)).toMatchObject({ status: 200, text: "plain text" });
    const object = await request(`${url}object`);
    expect(object).toMatchObject({ status: 200, text: '{"hello":"world"}' });
    expect(object.headers["content-type"]).toBe("application/json");
    const binary = await request(`${url}binary`);
    expect([...binary.body]).toEqual([0, 1, 2, 255]);
    const failedBefore = await metricValue(stack.endpoint, "stratus_url_requests_total", { class: "5xx" });
    const boom = await request(`${url}boom`);
    expect(boom.status).toBe(502);
    expect(JSON.parse(boom.text)).toEqual({ Message: "Internal Server Error" });
    // URL answers are counted by status class on the control plane's /metrics.
    expect(await metricValue(stack.endpoint, "stratus_url_requests_total", { class: "5xx" })).toBe(failedBefore + 1);
    expect(await metricValue(stack.endpoint, "stratus_url_requests_total", { class: "2xx" })).toBeGreaterThan(0);
  });

  it("answers 404 for a URL that does not exist", async () => {
    const answer = await request(`${stack.controlPlane.urlEndpoint}/${"a".repeat(32)}/`);
    expect(answer.status).toBe(404);
  });

  it("answers 429 when the function's reserved concurrency is exhausted", async () => {
    const { name, url } = await withUrl("NONE");
    await stack.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const answer = await request(url);
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.text)).toEqual({ Message: "Too Many Requests" });
  });

  it("answers a CORS preflight itself and adds CORS headers to allowed origins' responses", async () => {
    const { url } = await withUrl("NONE", {
      Cors: {
        AllowOrigins: ["https://app.example.com"],
        AllowMethods: ["GET", "POST"],
        AllowHeaders: ["content-type"],
        ExposeHeaders: ["x-handler"],
        MaxAge: 600,
      },
    });
    const preflight = await request(`${url}anything`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
    });
    // Answered by the platform: the function (which would add x-handler) never ran.
    expect(preflight.headers["x-handler"]).toBeUndefined();
    expect(preflight.text).toBe("");

    const refused = await request(url, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
    });
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();

    const actual = await request(url, { headers: { origin: "https://app.example.com" } });
    expect(actual.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-expose-headers": "x-handler",
      "x-handler": "urls",
    });
    const other = await request(url, { headers: { origin: "https://evil.example.com" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("AWS_IAM function URLs", () => {
  const curl = async (url: string, creds: { accessKeyId: string; secretAccessKey: string }, ...extra: string[]) => {
    const { stdout } = await run("curl", [
      "-sS",
      "-o",
      "-",
      "-w",
      "\n%{http_code}",
      "--aws-sigv4",
      "aws:amz:us-east-1:lambda",
      "--user",
      `${creds.accessKeyId}:${creds.secretAccessKey}`,
      ...extra,
      url,
    ]);
    const cut = stdout.lastIndexOf("\n");
    return { status: Number(stdout.slice(cut + 1)), text: stdout.slice(0, cut) };
  };

  async function presign(url: string, creds: Credentials, service = "lambda") {
    const u = new URL(url);
    const signer = new SignatureV4({
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      region: "us-east-1",
      service,
      sha256: Hash.bind(null, "sha256"),
    });
    const signed = await signer.presign(
      {
        method: "GET",
        protocol: "http:",
        hostname: u.hostname,
        port: Number(u.port),
        path: u.pathname,
        query: {},
        headers: { host: u.host },
      },
      { expiresIn: 300 },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    return `${u.origin}${u.pathname}?${query}`;
  }

  it("refuses unsigned and wrongly signed requests with 403 Forbidden", async () => {
    const { url } = await withUrl("AWS_IAM");
    const unsigned = await request(url);
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.text)).toEqual({ Message: "Forbidden" });
    const wrong = await curl(url, { ...stack.credentials, secretAccessKey: "not-the-secret" });
    expect(wrong).toEqual({ status: 403, text: '{"Message":"Forbidden"}' });
    const tampered = (await presign(url, stack.credentials)).replace(
      /X-Amz-Signature=[0-9a-f]{4}/,
      "X-Amz-Signature=0000",
    );
    expect((await request(tampered)).status).toBe(403);
    const s3 = await presign(url, stack.credentials, "s3");
    expect((await request(s3)).status).toBe(403);
  });

  it("accepts curl --aws-sigv4 and a presigned URL, and names the caller", async () => {
    const { url } = await withUrl("AWS_IAM");
    const signed = await curl(
      `${url}signed`,
      stack.credentials,
      "-X",
      "POST",
      "-H",
      "content-type: application/json",
      "-d",
      '{"a":1}',
    );
    expect(signed.status).toBe(201);
    const event = (JSON.parse(signed.text) as { event: LambdaFunctionURLEventWithIAMAuthorizer }).event;
    expect(event.body).toBe('{"a":1}');
    expect(event.requestContext.accountId).toBe(stack.credentials.accountId);
    expect(event.requestContext.authorizer.iam).toMatchObject({
      accessKey: stack.credentials.accessKeyId,
      accountId: stack.credentials.accountId,
    });
    const presigned = await request(await presign(url, stack.credentials));
    expect(presigned.status).toBe(200);
  });

  it("accepts a URL presigned by botocore (the AWS CLI's signer: UNSIGNED-PAYLOAD)", async () => {
    const { url } = await withUrl("AWS_IAM");
    // The Python that runs the AWS CLI has botocore: pyenv's, or Debian's python3.
    const cli = await run("pyenv", ["which", "aws"]).then(
      (r) => r.stdout.trim(),
      () => run("sh", ["-c", "command -v aws"]).then((r) => r.stdout.trim()),
    );
    const python =
      (await readFile(cli, "utf8"))
        .split("\n")[0]
        ?.replace(/^#!\s*/, "")
        .split(" ") ?? [];
    const script = [
      "import sys, botocore.auth, botocore.awsrequest",
      "from botocore.credentials import Credentials",
      "req = botocore.awsrequest.AWSRequest(method='GET', url=sys.argv[1])",
      "botocore.auth.SigV4QueryAuth(Credentials(sys.argv[2], sys.argv[3]), 'lambda', 'us-east-1', expires=60).add_auth(req)",
      "print(req.prepare().url)",
    ].join("\n");
    const { stdout } = await run(python[0] as string, [
      ...python.slice(1),
      "-c",
      script,
      `${url}boto?x=1&y=two%20words`,
      stack.credentials.accessKeyId,
      stack.credentials.secretAccessKey,
    ]);
    const answer = await request(stdout.trim());
    expect(answer.status).toBe(200);
    expect(eventOf(answer).queryStringParameters).toMatchObject({ x: "1", y: "two words" });
    expect((await request(stdout.trim().replace("x=1", "x=3"))).status).toBe(403);
  });

  it("refuses a key of another account until the function's policy grants it lambda:InvokeFunctionUrl", async () => {
    const { name, url } = await withUrl("AWS_IAM");
    const other = await stack.newAccount(`iam-${randomBytes(3).toString("hex")}`);
    expect((await curl(url, other)).status).toBe(403);
    expect((await request(await presign(url, other))).status).toBe(403);
    await stack.lambda.send(
      new AddPermissionCommand({
        FunctionName: name,
        StatementId: "partner",
        Action: "lambda:InvokeFunctionUrl",
        Principal: other.accountId,
        FunctionUrlAuthType: "AWS_IAM",
      }),
    );
    const granted = await curl(`${url}partner`, other);
    expect(granted.status).toBe(200);
    const event = (JSON.parse(granted.text) as { event: LambdaFunctionURLEventWithIAMAuthorizer }).event;
    expect(event.requestContext.authorizer.iam.accountId).toBe(other.accountId);
    // A grant for NONE URLs is not one for AWS_IAM callers.
    const third = await stack.newAccount(`iam-${randomBytes(3).toString("hex")}`);
    expect((await curl(url, third)).status).toBe(403);
  });
});
