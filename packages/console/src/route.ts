// Hash routing: the console is one page under /console/, its views named after '#'.
import { useEffect, useState } from "preact/hooks";

export type View =
  | { page: "functions" }
  | { page: "create" }
  | { page: "usage" }
  | { page: "function"; name: string; tab: FunctionTab };

export const TABS = ["code", "test", "monitor", "configuration", "versions", "triggers"] as const;
export type FunctionTab = (typeof TABS)[number];

export function parseHash(hash: string): View {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "create") return { page: "create" };
  if (parts[0] === "usage") return { page: "usage" };
  if (parts[0] === "functions" && parts[1]) {
    const tab = (TABS as readonly string[]).includes(parts[2] ?? "") ? (parts[2] as FunctionTab) : "code";
    return { page: "function", name: parts[1], tab };
  }
  return { page: "functions" };
}

export const hrefFor = (v: View): string =>
  v.page === "function"
    ? `#/functions/${encodeURIComponent(v.name)}/${v.tab}`
    : v.page === "create" || v.page === "usage"
      ? `#/${v.page}`
      : "#/functions";

export function go(v: View): void {
  location.hash = hrefFor(v);
}

export function useView(): View {
  const [view, setView] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setView(parseHash(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return view;
}
