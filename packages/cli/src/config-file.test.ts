import { describe, expect, it } from "vitest";
import { DEFAULT_ROLE, parseConfig } from "./config-file.js";

describe("parseConfig", () => {
  it("fills memory, timeout and role with their defaults", () => {
    expect(parseConfig('{"name":"f","runtime":"nodejs24.x","handler":"index.handler"}', "stratus.json")).toEqual({
      name: "f",
      runtime: "nodejs24.x",
      handler: "index.handler",
      memory: 128,
      timeout: 3,
      role: DEFAULT_ROLE,
    });
  });

  it.each([
    ["{", /^x\/stratus.json is not valid JSON: /],
    ['{"runtime":"nodejs24.x","handler":"h"}', /^x\/stratus.json: name: Required$/],
    ['{"name":"bad name","runtime":"r","handler":"h"}', /name: name must be 1-64 letters/],
    ['{"name":"f","runtime":"r","handler":"h","memory":64}', /memory: Number must be greater than or equal to 128/],
    ['{"name":"f","runtime":"r","handler":"h","timeout":901}', /timeout: Number must be less than or equal to 900/],
    ['{"name":"f","runtime":"r","handler":"h","memroy":256}', /Unrecognized key\(s\) in object: 'memroy'/],
    ['{"name":"f","runtime":"r","handler":"h","environment":{"A":1}}', /environment.A: Expected string/],
  ])("refuses %s naming the field", (text, message) => {
    expect(() => parseConfig(text, "x/stratus.json")).toThrow(message);
    try {
      parseConfig(text, "x/stratus.json");
    } catch (err) {
      expect((err as { type: string }).type).toBe("ConfigError");
    }
  });
});
