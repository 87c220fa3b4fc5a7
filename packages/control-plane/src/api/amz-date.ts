// X-Amz-Date as SigV4 writes it (yyyymmddThhmmssZ), read by both signature forms
// (header and presigned query). The last one read is kept: a burst of requests
// signed in the same second parses it once.
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
let lastAmzDate = { text: "", ms: 0 };

/** Epoch ms of an X-Amz-Date (yyyymmddThhmmssZ), or undefined when it is not one. */
export function parseAmzDate(value: string): number | undefined {
  if (value === lastAmzDate.text) return lastAmzDate.ms;
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const ms = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  lastAmzDate = { text: value, ms };
  return ms;
}
