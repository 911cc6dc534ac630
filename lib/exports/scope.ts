import { keyOf } from "@/lib/subjects/search-server";
import type { AssociationFinding, ServerFindings, SubjectFindings, SubjectScope } from "@/lib/subjects/types";
import { accountsOf } from "@/lib/subjects/accounts";

// The subject is who the request verified (issue 8). A search follows links: from an address to
// the Matrix ID it is bound to now, from that Matrix ID to its other addresses. Those are
// candidates, not the subject: this narrows merged findings to the identifiers linked to the
// request (verified), and lists what it left out so a DPO can confirm candidates one by one.
// - Verified Matrix IDs own every row bound to them and that row's 3PID (their addresses).
// - A verified address now bound to a Matrix ID outside a non-empty verified set is "linked
//   elsewhere": the other account's rows, account, invites and log lines are left out, and so is
//   everything about the address from 24 h before that binding on (a validation session stays
//   usable for 24 h, so sessions, invites and log lines in that window may be the other holder's).
// - With no Matrix ID verified, the address's own binding rows stay (the address is the
//   subject's), but the bound Matrix ID's account, invites and other addresses are candidates.

export type Verified = { type: "email" | "msisdn" | "mxid"; value: string };

const SESSION_WINDOW_MS = 24 * 3600 * 1000;
const uniq = <T>(xs: T[]) => [...new Set(xs)];
const tpKey = (medium: string, address: string) => keyOf(medium, address);

export function scopeToVerified(f: SubjectFindings, verified: Verified[]): SubjectFindings {
  const vm = new Set(verified.filter((v) => v.type === "mxid").map((v) => v.value));
  const v3 = new Set(verified.filter((v) => v.type !== "mxid").map((v) => tpKey(v.type, v.value)));
  const all: AssociationFinding[] = f.servers.flatMap((s) => s.associations);

  // The other holder's period per verified 3PID: from the earliest binding to a foreign Matrix ID.
  const since = new Map<string, number>();
  if (vm.size > 0) {
    for (const a of all) {
      const k = tpKey(a.medium, a.address);
      if (a.state !== "bound" || !a.mxid || vm.has(a.mxid) || !v3.has(k)) continue;
      const t = a.tsMs ?? 0;
      since.set(k, Math.min(since.get(k) ?? Infinity, t));
    }
  }
  const owned = new Set(v3);
  for (const a of all) if (a.mxid && vm.has(a.mxid)) owned.add(tpKey(a.medium, a.address));
  const cutoff = (k: string) => (since.has(k) ? since.get(k)! - SESSION_WINDOW_MS : Infinity);

  const keepAssoc = (a: AssociationFinding) => {
    const k = tpKey(a.medium, a.address);
    if (a.mxid && vm.has(a.mxid)) return true;
    if (!owned.has(k)) return false;
    if (a.state === "tombstone") return (a.tsMs ?? 0) < cutoff(k);
    return vm.size === 0 && v3.has(k);
  };
  const withheld = { associations: 0, sessions: 0, invites: 0, accounts: 0, logLines: 0 };
  const count = <T>(xs: T[], keep: (x: T) => boolean, field: keyof typeof withheld) => {
    const out = xs.filter(keep);
    withheld[field] += xs.length - out.length;
    return out;
  };

  const servers: ServerFindings[] = f.servers.map((s) => {
    const accounts = count(accountsOf(s), (a) => vm.has(a.userId), "accounts");
    return {
      ...s,
      associations: count(s.associations, keepAssoc, "associations"),
      sessions: count(s.sessions, (x) => { const k = tpKey(x.medium, x.addressAsStored); return owned.has(k) && x.mtimeMs < cutoff(k); }, "sessions"),
      invitesTo: count(s.invitesTo, (x) => { const k = tpKey(x.medium, x.address); return owned.has(k) && (x.receivedTs ?? 0) * 1000 < cutoff(k); }, "invites"),
      invitesFrom: count(s.invitesFrom, (x) => vm.has(x.sender), "invites"),
      account: accounts[0] ?? null,
      accounts,
      embeddedInOthers: s.embeddedInOthers.filter((e) => !(e.rowMxid && vm.has(e.rowMxid))),
    };
  });

  const split = (medium: "email" | "msisdn") => [...owned].filter((k) => k.startsWith(`${medium}:`)).map((k) => k.slice(medium.length + 1));
  const emails = split("email");
  const msisdns = split("msisdn");
  const mxids = [...vm];
  const sids = uniq(servers.flatMap((s) => s.sessions.map((x) => x.sid)));
  const keptIds = new Set([...emails, ...msisdns, ...mxids].map((x) => x.toLowerCase()));

  // Identifiers the search found that are not the subject's: log lines naming them are left out.
  const others = [
    ...f.identifiers.emails.filter((e) => !keptIds.has(e.toLowerCase())),
    ...f.identifiers.msisdns.filter((m) => !keptIds.has(m)),
    ...f.identifiers.mxids.filter((m) => !vm.has(m)),
  ];
  const needles = others.flatMap((x) => [x.toLowerCase(), encodeURIComponent(x).toLowerCase()]);
  const otherSids = f.identifiers.sids.filter((x) => !sids.includes(x));
  const sharedSince = [...since.entries()].map(([k, t]) => ({ address: k.slice(k.indexOf(":") + 1).toLowerCase(), from: t - SESSION_WINDOW_MS }));
  const keepLine = (line: string, at: string | null) => {
    const l = line.toLowerCase();
    if (needles.some((n) => l.includes(n))) return false;
    if (otherSids.some((sid) => new RegExp(`\\bsid=${sid}\\b|\\b${sid}\\b`).test(l))) return false;
    const t = at ? Date.parse(at) : NaN;
    return !sharedSince.some((s) => (l.includes(s.address) || l.includes(encodeURIComponent(s.address))) && !(t < s.from));
  };
  const logs = f.logs && {
    ...f.logs,
    findings: count(f.logs.findings, (x) => keepLine(x.line, x.at), "logLines"),
  };

  const candidates: SubjectScope["candidates"] = [];
  const seen = new Set<string>();
  for (const a of all) {
    if (!a.mxid) continue;
    const k = tpKey(a.medium, a.address);
    // The Matrix ID a verified address is bound to (unless that address is now someone else's).
    if (v3.has(k) && !vm.has(a.mxid) && !since.has(k) && !seen.has(`mxid:${a.mxid}`)) {
      seen.add(`mxid:${a.mxid}`);
      candidates.push({ type: "mxid", value: a.mxid, via: k });
    }
  }
  for (const a of all) {
    if (!a.mxid || a.state !== "bound") continue;
    const k = tpKey(a.medium, a.address);
    // Other addresses of a verified or candidate Matrix ID.
    const viaCandidate = candidates.some((c) => c.type === "mxid" && c.value === a.mxid);
    if (!owned.has(k) && viaCandidate && !seen.has(k)) {
      seen.add(k);
      candidates.push({ type: a.medium, value: a.address, via: `mxid:${a.mxid}` });
    }
  }
  const linkedElsewhere = [...since.entries()].map(([k, t]) => ({ type: k.slice(0, k.indexOf(":")) as "email" | "msisdn", value: k.slice(k.indexOf(":") + 1), sinceMs: t }));

  return {
    ...f,
    identifiers: { emails, msisdns, mxids, sids },
    servers,
    logs,
    foundAnywhere: servers.some((s) => s.associations.length + s.sessions.length + s.invitesTo.length + s.invitesFrom.length > 0 || accountsOf(s).length > 0) || (logs?.findings.length ?? 0) > 0,
    scope: { candidates, linkedElsewhere, withheld },
  };
}
