import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseLineTime, type LogSource } from "@/lib/logs/parse";
import { FIXTURE_DIR } from "@/lib/sydent/test-fixtures";
import { lineTimeMs } from "@/lib/retention/line-time";

const lines = (f: string) => fs.readFileSync(path.join(FIXTURE_DIR, f), "utf8").split("\n");
const slow = (s: LogSource, l: string) => parseLineTime(s, l)?.getTime() ?? null;

describe("lineTimeMs gives parseLineTime's answer", () => {
  it("on every line of the real fixture logs", () => {
    for (const [s, f] of [["sydent", "is1/sydent.log"], ["sydent", "is2/sydent.log"], ["haproxy", "haproxy/haproxy.log"]] as const) {
      const ls = lines(f);
      expect(ls.filter((l) => lineTimeMs(s, l) !== null).length).toBeGreaterThan(10);
      for (const l of ls) expect(lineTimeMs(s, l)).toBe(slow(s, l));
    }
  });
  it("on odd shapes (bad fields, offsets, other separators, short lines)", () => {
    const sy = ["2026-11-27 13:12:06,757 - x", "2026-11-27 13:12:06,757", "2026-13-27 13:12:06,757 - x", "2026-11-27 24:12:06,757 - x",
      "2026-11-27 13:12:06.757 - x", "2026-11-27T13:12:06,757 - x", "2026-11-27 13:12:06,7571 - x", "2026-11-27 13:12:06,757+02:00 - x",
      "0050-01-01 00:00:00,000 - x", "2026-11-00 13:12:06,757 - x", "  File \"x\"", "", "2026-1a-27 13:12:06,757 - x"];
    const ha = ["2026-11-27T14:11:55.835099+00:00 lb haproxy[1]: x", "2026-11-27T14:11:55.835099-05:30 lb", "2026-11-27T14:11:55.835099Z lb",
      "2026-11-27T14:11:55.835+01:00 lb", "2026-11-27T14:11:55.835099+0100 lb", "2026-11-27T25:11:55.835099+00:00 lb",
      "Nov 27 14:11:55 lb haproxy[903]: 1.2.3.4:5 [27/Nov/2026:13:12:06.655] fe", "2026-11-27T14:11:55.835099+0a:00 lb", "x"];
    for (const l of sy) expect(lineTimeMs("sydent", l)).toBe(slow("sydent", l));
    for (const l of ha) expect(lineTimeMs("haproxy", l)).toBe(slow("haproxy", l));
  });
});
