import { describe, expect, it } from "vitest";
import { parseCreateUrl, parseUpdateUrl, urlQualifier } from "./url-input.js";

describe("function URL config input", () => {
  it("takes AuthType, Cors and InvokeMode BUFFERED (the default)", () => {
    expect(parseCreateUrl({ AuthType: "NONE" })).toEqual({ authType: "NONE", invokeMode: "BUFFERED" });
    const cors = { AllowOrigins: ["https://a.example.com", "*"], AllowMethods: ["GET", "*"], MaxAge: 86400 };
    expect(parseCreateUrl({ AuthType: "AWS_IAM", Cors: cors, InvokeMode: "BUFFERED" })).toEqual({
      authType: "AWS_IAM",
      invokeMode: "BUFFERED",
      cors,
    });
    expect(parseUpdateUrl({})).toEqual({});
  });

  it("takes a Cors block that sets nothing as none: left out on create, removing it on update", () => {
    expect(parseCreateUrl({ AuthType: "NONE", Cors: {} })).toEqual({ authType: "NONE", invokeMode: "BUFFERED" });
    expect(parseUpdateUrl({ Cors: {} })).toEqual({ cors: null });
    expect(parseUpdateUrl({ Cors: { MaxAge: 0 } })).toEqual({ cors: { MaxAge: 0 } });
  });

  it.each([
    [{}, /AuthType/],
    [{ AuthType: "PUBLIC" }, /AuthType must be NONE or AWS_IAM/],
    [{ AuthType: "NONE", Cors: { MaxAge: 86401 } }, /MaxAge/],
    [{ AuthType: "NONE", Cors: { AllowMethods: ["FETCH"] } }, /AllowMethods/],
    [{ AuthType: "NONE", Cors: { AllowMethods: ["GET", "PUT", "POST", "HEAD", "PATCH", "DELETE", "*"] } }, /at most 6/],
    [{ AuthType: "NONE", Cors: { AllowOrigins: ["https://a.example.com/path"] } }, /AllowOrigins/],
    [{ AuthType: "NONE", Cors: { AllowHeaders: ["bad header"] } }, /AllowHeaders/],
    [{ AuthType: "NONE", Cors: { AllowCredentials: "yes" } }, /AllowCredentials/],
    [{ AuthType: "NONE", Cors: { AllowOrigin: ["*"] } }, /AllowOrigin/],
    [{ AuthType: "NONE", Colour: "blue" }, /Colour/],
    [{ AuthType: "NONE", InvokeMode: "FAST" }, /InvokeMode/],
  ])("refuses %j by name", (body, message) => {
    expect(() => parseCreateUrl(body)).toThrow(message);
  });

  it("takes RESPONSE_STREAM on create and update", () => {
    expect(parseCreateUrl({ AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }).invokeMode).toBe("RESPONSE_STREAM");
    expect(parseCreateUrl({ AuthType: "NONE" }).invokeMode).toBe("BUFFERED");
    expect(parseUpdateUrl({ InvokeMode: "RESPONSE_STREAM" })).toEqual({ invokeMode: "RESPONSE_STREAM" });
  });

  it("takes an alias or $LATEST as the qualifier, never a version number", () => {
    expect(urlQualifier(undefined)).toBeUndefined();
    expect(urlQualifier("$LATEST")).toBeUndefined();
    expect(urlQualifier("live")).toBe("live");
    expect(urlQualifier("v2")).toBe("v2");
    expect(() => urlQualifier("1")).toThrow(/not a version/);
    expect(() => urlQualifier("a/b")).toThrow(/Qualifier/);
  });
});
