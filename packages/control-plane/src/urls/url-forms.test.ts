import { describe, expect, it } from "vitest";
import { createUrlForms, newUrlId, targetOf, URL_ID } from "./url-forms.js";

const ID = "abcdefghijklmnopqrstuvwxyz012345";

describe("function URL forms", () => {
  it("makes 32-character lowercase ids, each new", () => {
    const ids = new Set(Array.from({ length: 200 }, newUrlId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(URL_ID);
  });

  it("writes the path form without a domain and the host form with one", () => {
    expect(createUrlForms(() => "http://127.0.0.1:9002", "us-east-1", undefined).functionUrl(ID)).toBe(
      `http://127.0.0.1:9002/${ID}/`,
    );
    expect(createUrlForms(() => "https://urls.example.com", "eu-west-1", "example.com").functionUrl(ID)).toBe(
      `https://${ID}.lambda-url.eu-west-1.example.com/`,
    );
    expect(createUrlForms(() => "http://10.0.0.5:9002", "us-east-1", "stratus.test").functionUrl(ID)).toBe(
      `http://${ID}.lambda-url.us-east-1.stratus.test:9002/`,
    );
  });

  it.each([
    [`${ID}.lambda-url.us-east-1.example.com:9002`, "/a/b?x=1", { urlId: ID, rawPath: "/a/b", rawQuery: "x=1" }],
    [`${ID.toUpperCase()}.LAMBDA-URL.us-east-1.example.com`, "/", { urlId: ID, rawPath: "/" }],
    ["127.0.0.1:9002", `/${ID}/a/b?x=1`, { urlId: ID, rawPath: "/a/b", rawQuery: "x=1" }],
    ["127.0.0.1:9002", `/${ID}`, { urlId: ID, rawPath: "/", rawQuery: "" }],
    ["127.0.0.1:9002", `/${ID}?q`, { urlId: ID, rawPath: "/", rawQuery: "q" }],
  ])("routes Host %s and path %s", (host, url, expected) => {
    expect(targetOf(host, url)).toMatchObject(expected);
  });

  it.each([
    ["127.0.0.1:9002", "/"],
    ["127.0.0.1:9002", `/${ID}x/`],
    ["127.0.0.1:9002", "/ABCDEFGHIJKLMNOPQRSTUVWXYZ012345/"],
    [undefined, "/short/"],
  ])("finds no URL for Host %s and path %s", (host, url) => {
    expect(targetOf(host, url)).toBeUndefined();
  });

  it("names the host without its port as the domain", () => {
    expect(targetOf(`${ID}.lambda-url.us-east-1.x.test:9002`, "/")?.domainName).toBe(
      `${ID}.lambda-url.us-east-1.x.test`,
    );
  });
});
