// The partial batch response of a function whose mapping has FunctionResponseTypes
// ["ReportBatchItemFailures"], read by Lambda's rules: a null or empty response, no
// batchItemFailures, a null or empty list is a complete success; a list naming records
// of the batch fails exactly those; anything else (not JSON, not an object, an
// identifier null, empty, not a string, misnamed, or not in the batch) fails the whole
// batch. Any source whose records carry an itemId (SQS message id, Kafka offset...) uses it.

export type BatchVerdict = { kind: "all-ok" } | { kind: "some-failed"; failed: Set<string> } | { kind: "all-failed" };

/** An itemIdentifier as the source names its records: a non-empty string by default. */
export type ItemIdReader = (raw: unknown) => string | undefined;
const stringId: ItemIdReader = (raw) => (typeof raw === "string" && raw !== "" ? raw : undefined);

export function readBatchResponse(
  payload: Buffer,
  itemIds: ReadonlySet<string>,
  idOf: ItemIdReader = stringId,
): BatchVerdict {
  const text = payload.toString("utf8").trim();
  if (text === "") return { kind: "all-ok" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: "all-failed" };
  }
  if (body === null) return { kind: "all-ok" };
  if (typeof body !== "object" || Array.isArray(body)) return { kind: "all-failed" };
  const list = (body as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { kind: "all-ok" };
  if (!Array.isArray(list)) return { kind: "all-failed" };
  const failed = new Set<string>();
  for (const item of list) {
    if (typeof item !== "object" || item === null) return { kind: "all-failed" };
    const id = idOf((item as { itemIdentifier?: unknown }).itemIdentifier);
    if (id === undefined || !itemIds.has(id)) return { kind: "all-failed" };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: "all-ok" } : { kind: "some-failed", failed };
}
