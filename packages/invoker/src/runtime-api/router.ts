// A router small enough for the Runtime API's hot path: endpoints are mounted under a
// prefix once, a path holds at most one parameter segment, and matching a path
// without a parameter allocates nothing (a runtime calls /next and /response on
// every invocation).

export interface Route {
  method: "GET" | "POST";
  /** Below its mount's prefix; at most one `{name}` segment, whose pattern the router is given. */
  path: string;
}

export interface Match<E extends Route> {
  endpoint: E;
  /** The path's parameter; "" for a path without one. */
  param: string;
}

interface Compiled<E extends Route> {
  method: string;
  /** The whole path before the parameter (all of it, for a path without one). */
  head: string;
  /** The path after the parameter. */
  tail: string;
  /** The parameter's pattern; undefined for a path without one. */
  param: RegExp | undefined;
  /** The match of a path without a parameter, made once. */
  whole: Match<E>;
}

const PARAM = /\{(\w+)\}/;

export class Router<E extends Route> {
  private readonly routes: Compiled<E>[] = [];

  /** `params`: each parameter's pattern, anchored (a value it refuses is no match). */
  constructor(private readonly params: Record<string, RegExp>) {}

  /** Serves `endpoints` below `prefix`. */
  mount(prefix: string, endpoints: readonly E[]): this {
    for (const endpoint of endpoints) {
      const path = prefix + endpoint.path;
      const found = PARAM.exec(path);
      const name = found?.[1];
      const pattern = name === undefined ? undefined : this.params[name];
      if (found && !pattern) throw new Error(`no pattern for parameter ${name} of ${path}`);
      this.routes.push({
        method: endpoint.method,
        head: found ? path.slice(0, found.index) : path,
        tail: found ? path.slice(found.index + found[0].length) : "",
        param: pattern,
        whole: { endpoint, param: "" },
      });
    }
    return this;
  }

  /** The endpoint that serves `method` on `url` (its query ignored), if one does. */
  match(method: string | undefined, url: string): Match<E> | undefined {
    const query = url.indexOf("?");
    const end = query === -1 ? url.length : query;
    for (const r of this.routes) {
      if (r.method !== method || !url.startsWith(r.head)) continue;
      if (r.param === undefined) {
        if (end === r.head.length) return r.whole;
        continue;
      }
      const to = end - r.tail.length;
      if (to <= r.head.length || !url.startsWith(r.tail, to)) continue;
      const value = url.slice(r.head.length, to);
      if (r.param.test(value)) return { endpoint: r.whole.endpoint, param: value };
    }
    return undefined;
  }
}

/** `url`'s path, without its query (for messages). */
export function pathOf(url: string | undefined): string {
  const path = url ?? "";
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}
