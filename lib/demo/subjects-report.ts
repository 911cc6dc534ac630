import { casefold, normaliseAddress } from "@/lib/sydent/normalise";
import { subjectBindings, type Timeline } from "@/lib/demo/binding-stream";
import { pushTime } from "@/lib/demo/servers";
import { DEMO_SUBJECTS, subjectByKey } from "@/lib/demo/subjects";
import { HOUR_MS, type DemoServer } from "@/lib/demo/types";

// subjects.json: the named demo people and what the generated data holds about each of them,
// for the README walkthrough and for tests that search for them.

export type ThreepidState = "bound" | "bound_not_yet_replicated" | "unbound";

export type SubjectReport = {
  key: string;
  displayName: string;
  mxid: string | null;
  clientIp: string;
  notes: string;
  threepids: {
    medium: string;
    address: string;
    typed: string;
    server: string;
    serverName: string;
    state: ThreepidState;
    boundAt: string;
    unboundAt: string | null;
  }[];
  account: { server: string; terms: string } | null;
  invitesTo: { address: string; from: string; server: string; state: "pending" | "delivered" }[];
  validationSessions: { server: string; typed: string; at: string; mailFailed: boolean }[];
};

export function buildSubjectReport(t: Timeline, servers: [DemoServer, DemoServer]): SubjectReport[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const bindings = subjectBindings(t);
  return DEMO_SUBJECTS.map((s) => {
    const mine = bindings.filter((b) => b.subject === s.key);
    const email = s.threepids.find((tp) => tp.medium === "email")?.typed ?? s.abandonedSessions?.[0]?.typed ?? "";
    return {
      key: s.key,
      displayName: s.displayName,
      mxid: s.mxid,
      clientIp: s.clientIp,
      notes: s.notes,
      threepids: mine.map((b) => {
        const pending = b.origin === 0 && pushTime(b.ts, 0) > t.stuckSince;
        return {
          medium: b.medium,
          address: b.address,
          typed: b.typed,
          server: servers[b.origin].label,
          serverName: servers[b.origin].serverName,
          state: b.unbindTs !== null ? "unbound" : pending ? "bound_not_yet_replicated" : "bound",
          boundAt: iso(b.ts),
          unboundAt: b.unbindTs === null ? null : iso(b.unbindTs),
        };
      }),
      account: s.account ? { server: servers[s.account.server].label, terms: s.account.terms } : null,
      invitesTo: (s.invitesTo ?? []).map((i) => {
        const address = casefold(email);
        const delivered = s.threepids.some(
          (tp) => tp.server === i.server && normaliseAddress(tp.medium, tp.typed) === address && tp.boundHoursAgo < i.storedHoursAgo,
        );
        return { address, from: subjectByKey(i.from).mxid ?? i.from, server: servers[i.server].label, state: delivered ? "delivered" : "pending" };
      }),
      validationSessions: (s.abandonedSessions ?? []).map((a) => ({
        server: servers[a.server].label,
        typed: a.typed,
        at: iso(t.ref - Math.round(a.hoursAgo * HOUR_MS)),
        mailFailed: !!a.mailFails,
      })),
    };
  });
}
