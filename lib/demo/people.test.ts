import { describe, expect, it } from "vitest";
import { casefold } from "@/lib/sydent/normalise";
import { asciiFold, FIRST_NAMES, LAST_NAMES } from "@/lib/demo/names";
import { peopleSpace, personAt } from "@/lib/demo/people";
import { parsePhone } from "@/lib/subjects/parse";
import { createRng } from "@/lib/demo/prng";
import { DEMO_SUBJECTS } from "@/lib/demo/subjects";

describe("generated people", () => {
  it("name pools stay distinct after casefold() and ASCII folding, and exclude the subjects' first names", () => {
    for (const pool of [FIRST_NAMES, LAST_NAMES]) {
      expect(new Set(pool.map(casefold)).size).toBe(pool.length);
      expect(new Set(pool.map(asciiFold)).size).toBe(pool.length);
    }
    const subjectFirst = DEMO_SUBJECTS.map((s) => asciiFold(s.displayName.split(" ")[0]));
    for (const f of FIRST_NAMES) expect(subjectFirst).not.toContain(asciiFold(f));
  });

  it("gives every index its own email, Matrix ID and phone number", () => {
    const space = peopleSpace(60_000);
    const emails = new Set<string>();
    const mxids = new Set<string>();
    const phones = new Set<string>();
    for (let i = 0; i < 60_000; i++) {
      const p = personAt(space, i);
      expect(p.email).toBe(casefold(p.typedEmail));
      emails.add(p.email);
      mxids.add(p.mxid);
      phones.add(p.msisdn);
    }
    expect([emails.size, mxids.size, phones.size]).toEqual([60_000, 60_000, 60_000]);
  });

  it("gives everyone a phone number that is valid for its country (a bulk CSV of them is accepted)", () => {
    const space = peopleSpace(5_000);
    const invalid: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const p = personAt(space, i);
      // As a DPO's bulk CSV or the search box reads it (lib/subjects/parse.ts).
      const r = parsePhone(`+${p.msisdn}`);
      if (!r.ok || r.query.kind !== "msisdn" || r.query.address !== p.msisdn) invalid.push(p.msisdn);
    }
    expect(invalid.slice(0, 5).join(" ")).toBe("");
  });

  it("the PRNG is reproducible per seed and stream", () => {
    const a = createRng("s", "x");
    const b = createRng("s", "x");
    const c = createRng("s", "y");
    const seq = (r: ReturnType<typeof createRng>) => Array.from({ length: 5 }, () => r.alnum(8));
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
  });
});
