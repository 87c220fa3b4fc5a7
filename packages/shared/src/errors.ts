// The error catalogue shared by every process. Each error carries a stable code
// (Lambda's exception name where one exists), an HTTP status and a kind saying whose
// fault it is: `client` (bad request), `function` (user code) or `platform` (ours).
// Handlers only throw them; each HTTP surface renders them in one place (restJson1:
// rest-json-errors.ts).

export type ErrorKind = "client" | "function" | "platform";

export class StratusError extends Error {
  constructor(
    /** Lambda's exception name, sent in `X-Amzn-ErrorType`. */
    readonly code: string,
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
    /** Extra response headers (`Retry-After`...). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

const client = (code: string, status: number) => (message: string) => new StratusError(code, status, "client", message);

export const errors = {
  invalidParameter: client("InvalidParameterValueException", 400),
  invalidRequestContent: client("InvalidRequestContentException", 400),
  notFound: client("ResourceNotFoundException", 404),
  accessDenied: client("AccessDeniedException", 403),
  conflict: client("ResourceConflictException", 409),
  preconditionFailed: client("PreconditionFailedException", 412),
  tooLarge: client("RequestTooLargeException", 413),
  unsupportedMediaType: client("UnsupportedMediaTypeException", 415),
  invalidZip: client("InvalidZipFileException", 400),
  invalidSignature: client("InvalidSignatureException", 403),
  unrecognizedClient: client("UnrecognizedClientException", 403),
  missingAuthentication: client("MissingAuthenticationTokenException", 403),
  unknownOperation: client("UnknownOperationException", 404),
  /**
   * The function's code could not be unpacked on a node: the function's fault, so it
   * is answered as the function's error (errorType Runtime.InvalidCodePackage) and
   * spends an async attempt. The message never holds a host path.
   */
  invalidCodePackage: (message: string) => new StratusError("Runtime.InvalidCodePackage", 502, "function", message),
  service: (message: string) => new StratusError("ServiceException", 500, "platform", message),
  /** No invoker node could take the request; the caller may retry. */
  capacity: (message: string) =>
    new StratusError("TooManyRequestsException", 429, "platform", message, {
      "Retry-After": "1",
      Reason: "CapacityExceeded",
    }),
};
