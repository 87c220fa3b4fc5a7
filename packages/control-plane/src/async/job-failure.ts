// What a failed step of an async job means for its event. Most failures are the
// platform's and pass (Postgres or Redis away or not answering, a deadlock, a server
// restarting): the job is given up, put back in the queue and run again, until the
// event's maximum age ends it. Some can never pass: Postgres refused the data itself,
// or our own code failed on it (a TypeError, a value out of range, data that does not
// parse). Run again, such a job fails the same way each time, and runs the function
// again each time before it does, until the event's maximum age; so its event ends at
// once instead, dead-lettered with an error that says why. (A failed call to an
// invoker node never gets here: the attempt handles it, as a platform error.)
import { ZodError } from "zod";
import { isDataError } from "../store/pg-helpers.js";

/** Whether running the job again cannot change how this step fails. */
export function unrecoverable(err: unknown): boolean {
  return (
    isDataError(err) ||
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof ReferenceError ||
    err instanceof SyntaxError ||
    err instanceof ZodError
  );
}

/** The error recorded with an event ended because of `err` (the message cut to a sane length). */
export function processingError(err: unknown): { errorType: string; errorMessage: string } {
  const message = err instanceof Error ? err.message : String(err);
  return {
    errorType: "ServiceException",
    errorMessage: `Stratus could not process this event, and no retry could: ${message}`.slice(0, 1024),
  };
}

/** The message a job whose data names no invocation fails with (BullMQ keeps it as the failed reason). */
export function malformedJobMessage(err: ZodError): string {
  const issues = err.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`).join("; ");
  return `malformed job data (${issues}): it names no invocation to run, so no retry can run one`;
}
