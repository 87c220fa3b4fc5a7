// The CLI's own errors and the one line every failure is printed as:
// `stratus: <ErrorType>: <message>`, the type being the Lambda/Scheduler exception
// name when the service answered with one.

/** A failure found by the CLI itself (bad config, bad flag), with a type to print. */
export class CliError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** The error type to print: the service's exception name, a system error code, or the class name. */
function typeOf(err: unknown): string {
  if (err instanceof CliError) return err.type;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code;
    if (err.name === "Error" || err.name === "TypeError") return code ?? err.name;
    return err.name;
  }
  return "Error";
}

function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : "";
  const message = err.message || cause || "(no message)";
  // "fetch failed" says nothing; its cause says what (ECONNREFUSED 127.0.0.1:9000).
  return message === "fetch failed" && cause ? cause : message;
}

/** One line, whatever the error: newlines in a message are folded. */
export function errorLine(err: unknown): string {
  return `stratus: ${typeOf(err)}: ${messageOf(err).replace(/\s*\n\s*/g, " ")}`;
}
