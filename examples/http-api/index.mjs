// An HTTP API on a function URL: the request is Lambda's payload format 2.0 event,
// the answer a {statusCode, headers, body} object. Routes: GET /hello?name=,
// POST /echo (JSON body back), anything else 404.
const json = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function bodyOf(event) {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  return JSON.parse(text);
}

export const handler = async (event) => {
  const { method, path } = event.requestContext.http;
  if (method === "GET" && path === "/hello") {
    return json(200, { message: `Hello, ${event.queryStringParameters?.name ?? "world"}!` });
  }
  if (method === "POST" && path === "/echo") {
    try {
      return json(200, { received: bodyOf(event) });
    } catch {
      return json(400, { error: "the body is not JSON" });
    }
  }
  return json(404, { error: `no route for ${method} ${path}` });
};
