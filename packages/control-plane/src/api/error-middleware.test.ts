import type { ServerResponse } from "node:http";
import type { Request } from "express";
import { describe, expect, it, vi } from "vitest";
import { refuseMalformedPath, sendError } from "./error-middleware.js";

/** A response that records what was sent; `complete`: whether the request's body was all read. */
function fakeResponse(complete: boolean) {
  const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    req: { complete },
    headersSent: false,
    writeHead(status: number, headers: Record<string, unknown>) {
      sent.status = status;
      sent.headers = headers;
    },
    end(body: string) {
      sent.body = body;
    },
  };
  return { res: res as unknown as ServerResponse, sent };
}

describe("refuseMalformedPath", () => {
  it.each([
    ["/2015-03-31/code/%E0%A4%A", "InvalidParameterValueException"],
    ["/2015-03-31/functions/%", "InvalidParameterValueException"],
    ["/2015-03-31/functions/a%2Fb", undefined],
    ["/2015-03-31/functions/caf%C3%A9", undefined],
  ])("%s", (path, code) => {
    const next = vi.fn();
    refuseMalformedPath({ path } as Request, {} as never, next);
    if (code) expect(next).toHaveBeenCalledWith(expect.objectContaining({ code, status: 400 }));
    else expect(next).toHaveBeenCalledWith();
  });
});

describe("sendError", () => {
  const log = () => ({ warn: vi.fn(), error: vi.fn() });

  it("answers Express's own 4xx (a param it cannot decode) as a 400, logging nothing", () => {
    const l = log();
    const { res, sent } = fakeResponse(true);
    const err = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    sendError(res, err, l, "rid");
    expect(sent.status).toBe(400);
    expect(sent.headers?.["x-amzn-errortype"]).toBe("InvalidRequestContentException");
    expect(l.error).not.toHaveBeenCalled();
    expect(l.warn).not.toHaveBeenCalled();
  });

  it("still answers an unexpected error as a logged 500", () => {
    const l = log();
    const { res, sent } = fakeResponse(true);
    sendError(res, new Error("boom"), l, "rid");
    expect(sent.status).toBe(500);
    expect(l.error).toHaveBeenCalled();
  });

  it("closes the connection when it refuses a request whose body was not read", () => {
    const unread = fakeResponse(false);
    sendError(unread.res, Object.assign(new Error("x"), { status: 403 }), log(), "rid");
    expect(unread.sent.headers?.connection).toBe("close");
    const read = fakeResponse(true);
    sendError(read.res, Object.assign(new Error("x"), { status: 403 }), log(), "rid");
    expect(read.sent.headers?.connection).toBeUndefined();
  });
});
