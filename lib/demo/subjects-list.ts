import { demoRequestPlan } from "@/lib/demo/generate-requests";
import type { SubjectReport } from "@/lib/demo/subjects-report";

// The short list of demo people printed with the sign-ins at the end of `npm run demo`
// (scripts/print-sign-ins.ts): who to search for on Find a person, on which server, in which
// state, and which of them the register's demo requests are about. All data is generated.

const STATE: Record<SubjectReport["threepids"][number]["state"], string> = {
  bound: "bound",
  bound_not_yet_replicated: "bound, not yet replicated to the peer",
  unbound: "unbound (tombstone)",
};

export function formatDemoSubjects(people: SubjectReport[]): string[] {
  const lines = ["Demo people to try on Find a person (all generated; full details in data/demo/subjects.json):"];
  const requests = new Map(demoRequestPlan(people).filter((r) => r.person).map((r) => [r.person!.key, r.type]));
  for (const p of people) {
    const req = requests.get(p.key);
    lines.push(`  ${p.displayName}${p.mxid ? `  ${p.mxid}` : ""}${req ? `  [demo ${req} request]` : ""}`);
    for (const t of p.threepids) {
      lines.push(`      ${t.medium === "msisdn" ? "phone" : t.medium} ${t.medium === "msisdn" ? `+${t.address}` : t.address}  on ${t.server} (${t.serverName}), ${STATE[t.state]}`);
    }
    if (p.threepids.length === 0) {
      const tries = [...new Set([...p.invitesTo.map((i) => `${i.address} (invited on ${i.server})`), ...p.validationSessions.map((v) => `${v.typed} (session on ${v.server})`)])];
      lines.push(`      no binding${tries.length ? `; try ${tries.join(", ")}` : ""}`);
    }
    lines.push(`      ${p.notes}`);
  }
  return lines;
}
