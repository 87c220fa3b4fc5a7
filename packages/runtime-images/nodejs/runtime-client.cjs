// The runtime client's HTTP/1.1 over node:net, for its exchanges with the Runtime API:
// one keep-alive connection, one exchange at a time (the runtime asks for an event,
// answers it, asks again). Loading node:http and making its first request costs a
// Node process ~10 ms of a scratch cold start before its first /next; this costs ~4
// (as AWS's own runtime clients speak to the Runtime API through a small client of
// their own rather than the language's). Responses are read by Content-Length,
// chunked, or to the end of the connection, after any 1xx interim answers. A streamed
// result (streaming.cjs) still goes through node:http, loaded only by a function that
// streams.

"use strict";

const net = require("node:net");

// Header names and values as node:http accepts them: a token; no CR, LF or other control characters.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const CRLF2 = Buffer.from("\r\n\r\n");

/** An exchange's answer: status, headers (lower-cased names; repeats joined by ", "), whole body. */
function parseHead(head) {
  const lines = head.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`runtime api: malformed status line ${JSON.stringify(lines[0].slice(0, 64))}`);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers };
}

/**
 * Reads one response from the bytes handed to `feed`; `done(err, res)` once, when it
 * is whole or cannot be. end() is the connection's end; fail(err) its error. A body by
 * length, to the close or in chunks is kept as the pieces that came and joined once
 * (a 6 MB event comes in ~100 of them); only the head and chunk framing wait in `buf`.
 */
function responseReader(done) {
  let buf = Buffer.alloc(0);
  let head;
  /** Content-Length, or Infinity for a body that runs to the close; undefined until known, or when chunked. */
  let length;
  const parts = [];
  let got = 0;
  let finished = false;
  const finish = (err, res) => {
    if (finished) return;
    finished = true;
    done(err, res);
  };
  const chunks = [];
  /** Of a chunked body: bytes of the current chunk still to come, and whether its CRLF is. */
  let remaining = 0;
  let chunkEnd = false;
  const whole = (body) => finish(null, { ...head, body });
  const take = (data) => {
    parts.push(data);
    got += data.length;
    if (got >= length) whole(Buffer.concat(parts, got).subarray(0, length));
  };
  /** A chunk's data is taken as it comes; only the framing between chunks waits in `buf`. */
  function chunked(data) {
    buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
    for (;;) {
      if (remaining > 0) {
        const n = Math.min(remaining, buf.length);
        if (n === 0) return;
        chunks.push(buf.subarray(0, n));
        buf = buf.subarray(n);
        remaining -= n;
        if (remaining > 0) return;
        chunkEnd = true;
      }
      if (chunkEnd) {
        if (buf.length < 2) return;
        if (buf[0] !== 13 || buf[1] !== 10) return finish(new Error("runtime api: chunk not ended by CRLF"));
        buf = buf.subarray(2);
        chunkEnd = false;
      }
      const eol = buf.indexOf("\r\n");
      if (eol < 0) return;
      const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(buf.subarray(0, eol).toString("latin1"));
      if (!m) return finish(new Error("runtime api: bad chunk size"));
      const size = Number.parseInt(m[1], 16);
      if (size === 0) {
        // The last chunk: trailers (ignored) up to an empty line.
        if (buf.indexOf(CRLF2, eol) < 0) return;
        return whole(Buffer.concat(chunks));
      }
      buf = buf.subarray(eol + 2);
      remaining = size;
    }
  }
  /** With the head read: how the body is delimited, and what of it came with the head. */
  function startBody() {
    const h = head.headers;
    if (head.status === 204 || head.status === 304) return whole(buf.subarray(0, 0));
    const coding = h["transfer-encoding"];
    if (coding !== undefined) {
      if (!/^chunked$/i.test(coding.trim()))
        return finish(new Error(`runtime api: unsupported transfer coding ${coding}`));
      const rest = buf;
      buf = Buffer.alloc(0);
      return chunked(rest);
    }
    length = h["content-length"] === undefined ? Number.POSITIVE_INFINITY : Number(h["content-length"]);
    if (length !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(length) || length < 0))
      return finish(new Error("runtime api: bad content-length"));
    take(buf);
  }
  return {
    feed(data) {
      if (finished) return;
      if (length !== undefined) return take(data);
      if (head) return chunked(data);
      buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
      for (;;) {
        const end = buf.indexOf(CRLF2);
        if (end < 0) return;
        try {
          head = parseHead(buf.subarray(0, end).toString("latin1"));
        } catch (err) {
          return finish(err);
        }
        buf = buf.subarray(end + 4);
        // An interim answer (100 Continue, 103 Early Hints): the real one follows.
        if (head.status >= 200 || head.status === 101) break;
        head = undefined;
      }
      startBody();
    },
    end() {
      if (length === Number.POSITIVE_INFINITY) return whole(Buffer.concat(parts, got));
      finish(Object.assign(new Error("runtime api: connection closed before the answer"), { code: "ECONNRESET" }));
    },
    fail: (err) => finish(err),
  };
}

/** A client of the Runtime API at host:port; send() resolves with {status, headers, body}. */
function createRuntimeClient(host, port) {
  let socket;
  let reader;
  let queue = Promise.resolve();

  function connection() {
    if (socket && !socket.destroyed && !socket.readableEnded && socket.writable) return socket;
    const s = net.connect({ host, port, noDelay: true });
    // A connection given up (closed, or broken) no longer speaks for the exchange under way.
    const current = () => (socket === s ? reader : undefined);
    s.on("data", (d) => current()?.feed(d));
    s.on("end", () => current()?.end());
    s.on("close", () => current()?.end());
    s.on("error", (err) => current()?.fail(err));
    socket = s;
    return s;
  }

  function exchange(method, path, body, headers) {
    return new Promise((resolve, reject) => {
      let head = `${method} ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() === "content-length") continue;
        const v = String(value);
        if (!TOKEN.test(name) || BAD_VALUE.test(v))
          throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), {
            code: "ERR_INVALID_CHAR",
          });
        head += `${name}: ${v}\r\n`;
      }
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(String(body), "utf8");
      if (payload !== undefined || method === "POST") head += `Content-Length: ${payload?.length ?? 0}\r\n`;
      const s = connection();
      reader = responseReader((err, res) => {
        reader = undefined;
        // Idle, the socket does not keep the process (and callbackWaitsForEmptyEventLoop) alive.
        s.unref();
        if (err) {
          s.destroy();
          return reject(err);
        }
        if (/\bclose\b/i.test(res.headers.connection ?? "")) s.destroy();
        resolve(res);
      });
      s.ref();
      s.cork();
      s.write(`${head}\r\n`, "latin1");
      if (payload && payload.length > 0) s.write(payload);
      s.uncork();
    });
  }

  return {
    send(method, path, body, headers = {}) {
      const p = queue.then(() => exchange(method, path, body, headers));
      queue = p.then(
        () => undefined,
        () => undefined,
      );
      return p;
    },
  };
}

module.exports = { createRuntimeClient };
