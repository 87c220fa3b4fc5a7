// The largest body each Lambda API operation may send, known from the method and
// path before a byte of it is read: a 50 MB zip (base64 in JSON) only where code is
// uploaded, Lambda's payload limits on invoke, and little anywhere else.
import { limits } from "@stratus/shared";

/** CreateFunction, UpdateFunctionCode and PublishLayerVersion: a 50 MB zip as base64 (4/3 larger) in JSON, with the other fields. */
export const ZIP_UPLOAD_BYTES = 70 * 1024 * 1024;
/** Every other operation: configuration, aliases, settings, tags (environment alone is at most 4 KB). */
export const SMALL_BODY_BYTES = 1024 * 1024;
/**
 * EventBridge PutEvents: AWS's 256 KB of entries, JSON-escaped in the body at worst
 * six bytes a byte (a control character as \u00XX), and the rest of the request.
 */
export const PUT_EVENTS_BODY_BYTES = 6 * 256 * 1024 + 64 * 1024;
/** Invocation logs an invoker sends in one batch (50 logs of up to 256 KB, JSON-escaped). */
export const INTERNAL_LOGS_BYTES = 16 * 1024 * 1024;

const CREATE_FUNCTION = /^\/2015-03-31\/functions\/?$/;
const UPDATE_CODE = /^\/2015-03-31\/functions\/[^/]+\/code\/?$/;
const PUBLISH_LAYER_VERSION = /^\/2018-10-31\/layers\/[^/]+\/versions\/?$/;

/** `path`: the request's path, without its query; `target`: its X-Amz-Target (the JSON protocols). */
export function bodyCap(method: string, path: string, target?: string | string[]): number {
  if (target === "AWSEvents.PutEvents") return PUT_EVENTS_BODY_BYTES;
  if (method === "POST" && CREATE_FUNCTION.test(path)) return ZIP_UPLOAD_BYTES;
  if (method === "PUT" && UPDATE_CODE.test(path)) return ZIP_UPLOAD_BYTES;
  if (method === "POST" && PUBLISH_LAYER_VERSION.test(path)) return ZIP_UPLOAD_BYTES;
  return SMALL_BODY_BYTES;
}

/** Invoke: Lambda's request payload limit, 6 MB for a sync call and 1 MB for an Event. */
export function invokeCap(invocationType: string | undefined): number {
  return invocationType === "Event" ? limits.asyncPayloadBytes : limits.syncPayloadBytes;
}
