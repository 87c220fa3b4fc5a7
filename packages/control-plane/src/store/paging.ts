// A page of a listing whose statement asked for one row more than the page holds:
// the extra row only tells that more follow, and the page's last item names the
// marker they follow.
import type { Page } from "../domain.js";

export function pageOf<R, T>(rows: R[], max: number, map: (r: R) => T, markerOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, max).map(map);
  const last = items[items.length - 1];
  return rows.length > max && last !== undefined ? { items, nextMarker: markerOf(last) } : { items };
}
