import { db } from "@/lib/db";
import { UNKNOWN_ADDRESS } from "@/lib/auth/client-address";
import {
  actorName, byActor, actorWhere, basis, firstSeqs, inWindow, THRESHOLDS, windowText, type Flag, type Where, type Window,
} from "@/lib/audit/workspace/anomalies-shared";

// The anomaly flags about access attempts and the log itself (lib/audit/workspace/anomalies.ts
// has the reveal flags): repeated denied attempts, checkpoints overdue,
// witnesses silent.

/** Entries that act for someone without a staff account but name one actor (a command-line job, a system task). */
const NAMED_NON_STAFF: Where = { OR: [{ actorLabel: { startsWith: "cli:" } }, { actorLabel: { startsWith: "system:" } }] };
export const WITNESS_EVIDENCE_ACTIONS = ["accessLog.witness", "accessLog.proof"] as const;

/**
 * Repeated denied attempts, counted three ways, each against THRESHOLDS.deniedPerActor:
 * - by staff account (actorId; web and command line together), and by label for named actors
 *   without one (cli:…, system:…);
 * - failed sign-ins by the account they tried (auth.signin entries are written by "anonymous",
 *   with the account as target when the e-mail names one);
 * - entries without an account (sign-ins, subject download links) by source address, except
 *   "unknown" (every client when no trusted proxy names them: lib/auth/client-address.ts).
 */
export async function deniedFlags(w: Window): Promise<Flag[]> {
  const limit = THRESHOLDS.deniedPerActor;
  const threshold = `${limit} or more denied attempts in the window`;
  const denied: Where = { AND: [inWindow(w), { outcome: "denied" }] };
  const flags: Flag[] = [];

  const actors = await byActor({ AND: [denied, { OR: [{ actorId: { not: null } }, NAMED_NON_STAFF] }] });
  for (const g of actors.filter((a) => a.count >= limit)) {
    const where: Where = { AND: [denied, actorWhere(g)] };
    flags.push({
      kind: "denied-attempts", severity: "alert",
      summary: `${actorName(g)}: ${g.count} denied attempts from ${windowText(w)} (threshold ${limit})`,
      seqs: await firstSeqs(where),
      basis: basis(w, `outcome denied; ${g.actorId ? `actorId ${g.actorId} (labels ${g.labels.join(", ")})` : `actorId null and actorLabel ${g.labels[0]}`}`, threshold, g.count),
    });
  }

  const signIns: Where = { AND: [denied, { action: "auth.signin", targetType: "staff", targetRef: { not: null } }] };
  const perAccount = new Map<string, { count: number; addresses: Set<string> }>();
  for (const r of await db().accessLogEntry.groupBy({ by: ["targetRef", "ip"], where: signIns, _count: { _all: true } })) {
    const a = perAccount.get(r.targetRef!) ?? { count: 0, addresses: new Set() };
    a.count += r._count._all;
    a.addresses.add(r.ip ?? UNKNOWN_ADDRESS);
    perAccount.set(r.targetRef!, a);
  }
  const accounts = [...perAccount].filter(([, a]) => a.count >= limit).sort((x, y) => y[1].count - x[1].count || x[0].localeCompare(y[0]));
  const emails = new Map((await db().staff.findMany({ where: { id: { in: accounts.map(([id]) => id) } }, select: { id: true, email: true } })).map((s) => [s.id, s.email]));
  for (const [id, a] of accounts) {
    const where: Where = { AND: [signIns, { targetRef: id }] };
    flags.push({
      kind: "denied-attempts", severity: "alert",
      summary: `${a.count} failed sign-ins to the staff account ${emails.get(id) ?? id} from ${a.addresses.size} address(es), ${windowText(w)} (threshold ${limit})`,
      seqs: await firstSeqs(where),
      basis: basis(w, `outcome denied; action auth.signin; targetType staff, targetRef ${id}`, threshold, a.count),
    });
  }

  const signedOut: Where = { AND: [denied, { actorId: null, ip: { not: null } }, { NOT: { ip: UNKNOWN_ADDRESS } }] };
  const perAddress = await db().accessLogEntry.groupBy({ by: ["ip"], where: signedOut, _count: { _all: true } });
  for (const r of perAddress.filter((p) => p._count._all >= limit).sort((x, y) => y._count._all - x._count._all || x.ip!.localeCompare(y.ip!))) {
    const where: Where = { AND: [signedOut, { ip: r.ip }] };
    flags.push({
      kind: "denied-attempts", severity: "alert",
      summary: `${r._count._all} denied attempts without a signed-in account from the address ${r.ip}, ${windowText(w)} (threshold ${limit})`,
      seqs: await firstSeqs(where),
      basis: basis(w, `outcome denied; actorId null; ip ${r.ip}`, threshold, r._count._all),
    });
  }
  return flags;
}

/**
 * Checkpoints overdue, and witnesses silent. A witness (audit:witness) reads the database
 * directly and writes nothing there, so the console sees a witness only through the entries it
 * leaves: "accessLog.witness" (audit:witness --operator) and "accessLog.proof" (a tree head or
 * proof fetched through /api/audit/tree or audit:proof). A witness run without --operator is
 * invisible here (lib/audit/README.md, "What the workspace can know about witnesses").
 */
export async function logIntegrityFlags(w: Window, witnessMaxAgeHours: number): Promise<Flag[]> {
  const now = w.until;
  const flags: Flag[] = [];
  const head = await db().accessLogHead.findUnique({ where: { id: 1 } });
  const last = await db().accessLogCheckpoint.findFirst({ orderBy: [{ seq: "desc" }, { id: "desc" }] });
  const overdueHours = THRESHOLDS.checkpointOverdueHours;
  if (head && head.seq > (last?.seq ?? 0) && (!last || now.getTime() - last.sealedAt.getTime() > overdueHours * 3_600_000)) {
    const unsealed = head.seq - (last?.seq ?? 0);
    flags.push({
      kind: "checkpoint-overdue", severity: "alert",
      summary: last
        ? `no tree head sealed since ${last.sealedAt.toISOString()} (more than ${overdueHours} h before ${now.toISOString()}) while ${unsealed} entries were added`
        : `${head.seq} entries and no tree head at all`,
      seqs: [],
      basis: basis(w, `AccessLogHead.seq ${head.seq}; newest checkpoint ${last ? `seq ${last.seq}, sealedAt ${last.sealedAt.toISOString()}` : "none"}; entries after it`, `no checkpoint for ${overdueHours} h while entries were added`, unsealed),
    });
  }

  const evidenceRule = `newest ok ${WITNESS_EVIDENCE_ACTIONS.join(" / ")} entry at or before the end of the window`;
  const seen = await db().accessLogEntry.findFirst({
    where: { action: { in: [...WITNESS_EVIDENCE_ACTIONS] }, outcome: "ok", at: { lte: now } },
    orderBy: { seq: "desc" },
    select: { seq: true, at: true, action: true, actorLabel: true },
  });
  const ageHours = seen ? (now.getTime() - seen.at.getTime()) / 3_600_000 : null;
  if (ageHours === null || ageHours > witnessMaxAgeHours) {
    flags.push({
      kind: "witnesses-silent", severity: "warning",
      summary: seen
        ? `no witness run or tree-head fetch recorded for ${Math.floor(ageHours!)} h (threshold ${witnessMaxAgeHours} h): the last was ${seen.action} by ${seen.actorLabel} at ${seen.at.toISOString()}. Witness runs without --operator are not recorded; check the witnesses' folders (audit:verify --witness-dir)`
        : `no witness run or tree-head fetch was ever recorded (audit:witness --operator, /api/audit/tree, audit:proof). Witness runs without --operator are not recorded; check the witnesses' folders (audit:verify --witness-dir)`,
      seqs: seen ? [seen.seq] : [],
      basis: basis(w, evidenceRule, `none for ${witnessMaxAgeHours} h`, ageHours === null ? 0 : Math.floor(ageHours)),
    });
  }

  // The newest recorded witness run found the log inconsistent with the heads it keeps.
  const lastRun = await db().accessLogEntry.findFirst({ where: { action: "accessLog.witness", at: { gte: w.since, lt: w.until } }, orderBy: { seq: "desc" }, select: { seq: true, at: true, outcome: true, actorLabel: true, details: true } });
  if (lastRun && lastRun.outcome !== "ok") {
    const problems = (() => {
      try {
        return (JSON.parse(lastRun.details ?? "{}").problems as string[] | undefined) ?? [];
      } catch {
        return [];
      }
    })();
    flags.push({
      kind: "witness-failed", severity: "alert",
      summary: `the last recorded witness run (${lastRun.actorLabel}, ${lastRun.at.toISOString()}) found the log not consistent with its heads${problems.length ? `: ${[...new Set(problems)].join(", ")}` : ""}; run audit:verify --witness-dir on that witness's folder`,
      seqs: [lastRun.seq],
      basis: basis(w, "newest accessLog.witness entry in the window, outcome not ok", null, problems.length),
    });
  }
  return flags;
}
