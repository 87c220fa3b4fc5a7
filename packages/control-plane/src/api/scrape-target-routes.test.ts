import type { AddressInfo } from "node:net";
import { consoleLogger } from "@stratus/shared";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { bearerMatches, SCRAPE_TARGETS_PATH, scrapeTargetRoutes } from "./scrape-target-routes.js";

const quiet = consoleLogger({ info() {}, warn() {}, error() {} });
const groups = [{ targets: ["127.0.0.1:9000"], labels: { stratus_role: "control-plane", stratus_instance: "a" } }];
let close: (() => void) | undefined;

async function serve(token: string | undefined, targets = async () => groups) {
  const app = express().use(scrapeTargetRoutes({ token, targets, log: quiet }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  close = () => server.close();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${SCRAPE_TARGETS_PATH}`;
}

afterEach(() => close?.());

describe("scrapeTargetRoutes", () => {
  it("answers the target groups to the right bearer token", async () => {
    const url = await serve("s3cret-token-for-prometheus");
    const res = await fetch(url, { headers: { authorization: "Bearer s3cret-token-for-prometheus" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(groups);
  });

  it.each([
    ["no header", undefined],
    ["a wrong token", "Bearer s3cret-token-for-prometheuX"],
    ["a shorter token", "Bearer s3cret"],
    ["another scheme", "Basic s3cret-token-for-prometheus"],
  ])("refuses %s with 401", async (_, authorization) => {
    const url = await serve("s3cret-token-for-prometheus");
    const res = await fetch(url, authorization ? { headers: { authorization } } : {});
    expect(res.status).toBe(401);
  });

  it("is off (404) without a token configured", async () => {
    const url = await serve(undefined);
    expect((await fetch(url, { headers: { authorization: "Bearer anything" } })).status).toBe(404);
  });

  it("answers 503 when the registries cannot be read", async () => {
    const url = await serve("t0ken-t0ken-t0ken", async () => {
      throw new Error("redis away");
    });
    expect((await fetch(url, { headers: { authorization: "Bearer t0ken-t0ken-t0ken" } })).status).toBe(503);
  });
});

describe("bearerMatches", () => {
  it.each([
    ["Bearer abc", true],
    ["bearer abc", true],
    ["Bearer abc ", true],
    ["Bearer abcd", false],
    ["Bearer", false],
    ["abc", false],
  ])("%s: %s", (header, ok) => {
    expect(bearerMatches(header, "abc")).toBe(ok);
  });
});
