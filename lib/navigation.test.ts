import { describe, expect, it } from "vitest";
import { activeHref, NAV_ITEMS } from "@/lib/navigation";

const hrefs = NAV_ITEMS.map((i) => i.href);

describe("activeHref", () => {
  it("marks exactly one item: the longest href the path is under", () => {
    expect(activeHref("/erasures/bulk", hrefs)).toBe("/erasures/bulk");
    expect(activeHref("/erasures/bulk/abc123", hrefs)).toBe("/erasures/bulk");
    expect(activeHref("/erasures/abc123", hrefs)).toBe("/erasures");
    expect(activeHref("/", hrefs)).toBe("/");
    expect(activeHref("/requests/x/packages/y", hrefs)).toBe("/requests");
    expect(activeHref("/access-log/12", hrefs)).toBe("/access-log");
    expect(activeHref("/account", hrefs)).toBeNull();
    // A prefix that is not a path segment does not count.
    expect(activeHref("/requestsx", hrefs)).toBeNull();
  });
});
