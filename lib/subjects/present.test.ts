import { describe, expect, it } from "vitest";
import { maskEmailAddress, maskMsisdn, maskMxid, presentFindings } from "@/lib/subjects/present";
import { maskLogLine } from "@/lib/subjects/present-parts";
import type { SubjectQuery } from "@/lib/subjects/types";
import { SUBJECTS, fixtureFindings, identifiersOf } from "@/lib/subjects/testing-fixture";

// The masked view model must never carry an identifier in clear: for every subject in truth.json,
// search each of their 3PIDs (and Matrix ID, as the DPO would) on the real fixture, serialise the
// masked view and look for every identifier of every person in truth.json.

const EVERYONE = [...new Set(SUBJECTS.flatMap(identifiersOf))];
const leaks = (json: string, ids: string[]) => ids.filter((id) => json.toLowerCase().includes(id.toLowerCase()));

function queriesOf(s: (typeof SUBJECTS)[number]): { q: SubjectQuery; expand: boolean }[] {
  return [
    ...s.threepids.map((t) => ({ q: { kind: t.medium, address: t.address } as SubjectQuery, expand: false })),
    ...(s.mxid ? [{ q: { kind: "mxid", mxid: s.mxid } as SubjectQuery, expand: true }] : []),
  ];
}

describe("presentFindings, masked", () => {
  for (const s of SUBJECTS) {
    it(`[${s.key}] no identifier of anyone in truth.json, no session id, no full lookup hash`, async () => {
      for (const { q, expand } of queriesOf(s)) {
        const f = await fixtureFindings(q, expand);
        const json = JSON.stringify(presentFindings(f, { reveal: false }));
        expect(leaks(json, EVERYONE)).toEqual([]);
        const hashes = f.servers.flatMap((x) => x.associations.map((a) => a.lookupHash)).filter((h): h is string => !!h);
        expect(leaks(json, hashes)).toEqual([]);
        expect(leaks(json, f.identifiers.sids.map(String))).toEqual([]);
        const view = JSON.parse(json);
        expect(view.logs.lines).toBeNull();
        expect(view.revealed).toBe(false);
      }
    });
  }
});

let secretLinesSeen = 0;
describe("presentFindings, revealed", () => {
  for (const s of SUBJECTS.filter((x) => x.threepids.length > 0)) {
    it(`[${s.key}] shows the subject's own identifiers; other people stay masked; secrets withheld`, async () => {
      const t = s.threepids[0];
      const f = await fixtureFindings({ kind: t.medium, address: t.address } as SubjectQuery, true);
      const view = presentFindings(f, { reveal: true });
      const json = JSON.stringify(view);
      expect(json).toContain(t.address);
      const own = new Set([...f.identifiers.emails, ...f.identifiers.msisdns, ...f.identifiers.mxids].map((x) => x.toLowerCase()));
      const others = SUBJECTS.filter((o) => o.key !== s.key).flatMap(identifiersOf).filter((id) => !own.has(id.toLowerCase()));
      expect(leaks(json, [...new Set(others)])).toEqual([]);
      // Every log line found is shown (none dropped), and each raw line carrying a secret shows it withheld.
      const raw = f.logs?.findings ?? [];
      const lines = view.logs?.lines ?? [];
      expect(raw.length, "log lines found for this subject").toBeGreaterThan(0);
      expect(lines).toHaveLength(raw.length);
      const withSecret = raw.filter((x) => /\b(client_secret|token|access_token|sid_secret|nextLink|next_link)=[^&\s"]|(mail|text) code \S/i.test(x.line)).length;
      expect(lines.filter((l) => l.text.includes("[secret withheld]"))).toHaveLength(withSecret);
      secretLinesSeen += withSecret;
      for (const line of lines) {
        expect(line.text).not.toMatch(/client_secret=(?!\[secret withheld\])/);
        expect(line.text).not.toMatch(/[?&]token=(?!\[secret withheld\])/);
        expect(line.text).not.toMatch(/(mail|text) code (?!\[secret withheld\])/);
      }
    });
  }
  it("the subjects above had log lines carrying secrets (the withheld check was not empty)", () => {
    expect(secretLinesSeen).toBeGreaterThan(10);
  });
});

describe("masks", () => {
  it("take the issue's forms", () => {
    expect(maskEmailAddress("alice.smith@example.org")).toBe("a•••@example.org");
    expect(maskMsisdn("447700900123")).toBe("+44 •••• ••• 123");
    expect(maskMxid("@alice.smith:127.0.0.1:8448")).toBe("@a••••:127.0.0.1:8448");
  });

  it("a revealed log line withholds the validation code and masks other people", () => {
    const own = { emails: ["alice.smith@example.org"], msisdns: ["447700900123"], mxids: ["@alice.smith:127.0.0.1:8448"], sids: [] };
    const line = "INFO - Attempting to text code 883260 to 447700900123 (country 44); invite from @alice.smith:127.0.0.1:8448 to bob.jones%40example.com and 33639980012";
    const out = maskLogLine(line, own);
    expect(out).toContain("text code [secret withheld]");
    expect(out).toContain("447700900123");
    expect(out).toContain("@alice.smith:127.0.0.1:8448");
    expect(out).not.toContain("bob.jones");
    expect(out).not.toContain("33639980012");
  });
});
