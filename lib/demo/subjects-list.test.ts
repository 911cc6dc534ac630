import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { formatDemoSubjects } from "@/lib/demo/subjects-list";
import { buildSubjectReport } from "@/lib/demo/subjects-report";
import { DEMO_SUBJECTS } from "@/lib/demo/subjects";
import { generateForTest } from "@/lib/demo/testing";

// The list of demo people printed at the end of `npm run demo`, from a generated demo's subjects.json.

const g = generateForTest({ bindings: 200, logDays: 3 });
afterAll(() => fs.rmSync(g.dir, { recursive: true, force: true }));
const people = buildSubjectReport(g.timeline, g.servers);
const text = formatDemoSubjects(people).join("\n");

describe("demo people list (npm run demo)", () => {
  it("names every demo subject with their Matrix ID", () => {
    expect(people).toHaveLength(DEMO_SUBJECTS.length);
    for (const s of DEMO_SUBJECTS) {
      expect(text).toContain(s.displayName);
      if (s.mxid) expect(text).toContain(s.mxid);
    }
  });

  it("gives each binding's address or number, its server and its state", () => {
    const all = people.flatMap((p) => p.threepids);
    expect(all.length).toBeGreaterThan(0);
    for (const t of all) {
      const shown = t.medium === "msisdn" ? `phone +${t.address}` : `email ${t.address}`;
      const line = text.split("\n").find((l) => l.includes(shown) && l.includes(`on ${t.server} (${t.serverName})`));
      expect(line, shown).toBeDefined();
      expect(line).toMatch(t.state === "unbound" ? /unbound/ : t.state === "bound" ? /, bound$/ : /not yet replicated/);
    }
    // The demo has both states worth trying: a live binding and an unbound one.
    expect(new Set(all.map((t) => t.state))).toContain("bound");
    expect(new Set(all.map((t) => t.state))).toContain("unbound");
  });

  it("marks the people the register's three demo requests are about", () => {
    expect(text.match(/\[demo (access|erasure|complaint) request\]/g)?.sort()).toEqual(["[demo access request]", "[demo complaint request]", "[demo erasure request]"]);
  });
});
