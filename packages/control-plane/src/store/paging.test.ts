import { describe, expect, it } from "vitest";
import { pageOf } from "./paging.js";

const named = (n: number) => ({ name: `f${n}` });

describe("pageOf", () => {
  it("keeps the page's rows and names its last as the marker when the extra row came", () => {
    expect(pageOf([1, 2, 3], 2, named, (f) => f.name)).toEqual({ items: [named(1), named(2)], nextMarker: "f2" });
  });

  it("has no marker when no extra row came", () => {
    const page = pageOf([1, 2], 2, named, (f) => f.name);
    expect(page).toEqual({ items: [named(1), named(2)] });
    expect("nextMarker" in page).toBe(false);
  });

  it("is empty, without a marker, for no rows", () => {
    expect(pageOf([], 5, named, (f) => f.name)).toEqual({ items: [] });
  });
});
