import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { deniedFlags, logIntegrityFlags } from "@/lib/audit/workspace/anomalies-log";
import {
  actorName, byActor, actorRule, actorWhere, basis, firstSeqs, inWindow, THRESHOLDS, windowText,
  type ActorGroup, type Flag, type Where, type Window,
} from "@/lib/audit/workspace/anomalies-shared";
import { describeWorkingTime, localDays, workingIntervals, type WorkingTime } from "@/lib/audit/workspace/working-time";

// Anomaly flags for the auditor's workspace, over a window of the log (default: the 30 days up to
// now). Each flag names what it saw with counts and seqs, never identifiers, and carries its
// basis (window, rule, threshold, count) so an auditor can reproduce it from the log.
//
// Counting is done by the database (counts, groupings, filters on UTC intervals), so a busy window
// is counted in full; only the example seqs are capped (the first 50, oldest first).
// - A reveal is an ok "subject.reveal" or "complaint.contact.reveal" entry. A subject reveal
//   writes one entry per identifier shown (lib/subjects/person-log.ts); the repeats carry
//   details.additionalTarget and are not counted as reveals.
// - One person is one staff account (actorId): the console's entries (label = e-mail) and the
//   command line's ("cli:<e-mail>") add up. Entries without a staff account go by their label.
// - Days and working hours are local to CUSTODIAN_WORKING_TIMEZONE (lib/audit/workspace/working-time.ts).

export { THRESHOLDS, type Flag, type FlagBasis, type FlagKind } from "@/lib/audit/workspace/anomalies-shared";

export const REVEAL_ACTIONS = ["subject.reveal", "complaint.contact.reveal"] as const;
/** How details mark the repeated entries of one reveal (JSON.stringify of { additionalTarget: true }). */
const ADDITIONAL_TARGET = '"additionalTarget":true';

export type AnomalyOptions = {
  since?: Date;
  now?: Date;
  /** Default: env().workingTime (CUSTODIAN_WORKING_*). */
  workingTime?: WorkingTime;
  /** Default: CUSTODIAN_WITNESS_MAX_AGE_HOURS. */
  witnessMaxAgeHours?: number;
};

/** Reveal events in the window: the first entry of each reveal only. */
const revealEvents = (w: Window): Where => ({
  AND: [inWindow(w), { action: { in: [...REVEAL_ACTIONS] }, outcome: "ok" }, { OR: [{ details: null }, { NOT: { details: { contains: ADDITIONAL_TARGET } } }] }],
});
const REVEAL_RULE = `ok ${REVEAL_ACTIONS.join(" / ")} entries, one per reveal (entries with ${ADDITIONAL_TARGET} in details repeat a reveal for another identifier and are skipped)`;

const perActorText = (groups: ActorGroup[]) => groups.slice(0, 5).map((g) => `${actorName(g)}: ${g.count}`).join(", ") + (groups.length > 5 ? `, and ${groups.length - 5} more` : "");

/**
 * The people one actor revealed in a day: reveal events sharing an identifier are one person
 * (a reveal's entries name every identifier shown, so revealing someone by e-mail and later by
 * phone number counts once). Read only for actor-days with more reveal events than the limit.
 */
async function peopleRevealed(where: Where): Promise<number> {
  const rows = await db().accessLogEntry.findMany({
    where: { AND: [where, { action: { in: [...REVEAL_ACTIONS] }, outcome: "ok" }] },
    select: { seq: true, action: true, targetType: true, targetPseudonym: true, targetRef: true, details: true },
    orderBy: { seq: "asc" },
  });
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const events: string[] = [];
  const latest = new Map<string, string>(); // action -> its latest reveal event
  for (const r of rows) {
    let event: string;
    if (r.details?.includes(ADDITIONAL_TARGET)) {
      // A repeat belongs to the reveal before it (same transaction); one without it is not a reveal.
      if (!latest.has(r.action)) continue;
      event = latest.get(r.action)!;
    } else {
      event = `e:${r.seq}`;
      events.push(event);
      latest.set(r.action, event);
    }
    const target = r.targetPseudonym ? `p:${r.targetType}:${r.targetPseudonym}` : r.targetRef ? `r:${r.targetType}:${r.targetRef}` : null;
    if (target) parent.set(find(target), find(event));
  }
  return new Set(events.map(find)).size;
}

async function manySubjects(w: Window, timeZone: string): Promise<Flag[]> {
  const limit = THRESHOLDS.subjectsPerActorPerDay;
  // People revealed ≤ reveal events: only actors with more events than the limit can cross it.
  const candidates = (await byActor(revealEvents(w))).filter((g) => g.count > limit);
  if (!candidates.length) return [];
  const flags: Flag[] = [];
  for (const day of localDays(timeZone, w.since, w.until)) {
    const dayWindow = { since: day.start, until: day.end };
    const busy = (await byActor({ AND: [revealEvents(dayWindow), { OR: candidates.map(actorWhere) }] })).filter((g) => g.count > limit);
    for (const g of busy) {
      const where: Where = { AND: [inWindow(dayWindow), actorWhere(g)] };
      const people = await peopleRevealed(where);
      if (people <= limit) continue;
      flags.push({
        kind: "many-subjects",
        severity: "alert",
        summary: `${actorName(g)} revealed ${people} different people in ${g.count} reveals on ${day.day} (${timeZone}); the threshold is more than ${limit} people in a day`,
        seqs: await firstSeqs({ AND: [revealEvents(dayWindow), actorWhere(g)] }),
        basis: basis(dayWindow, `${REVEAL_RULE}; ${actorRule(g)}; local day ${day.day} in ${timeZone}; people = reveals grouped when they share an identifier (targetPseudonym) or a complaint (targetRef)`, `more than ${limit} people in a day`, people),
      });
    }
  }
  return flags;
}

async function outsideHours(w: Window, wt: WorkingTime): Promise<Flag[]> {
  const work = workingIntervals(wt, w.since, w.until);
  const where: Where = work.length ? { AND: [revealEvents(w), { NOT: { OR: work.map((i) => ({ at: { gte: i.start, lt: i.end } })) } }] } : revealEvents(w);
  const groups = await byActor(where);
  const count = groups.reduce((n, g) => n + g.count, 0);
  if (!count) return [];
  const hours = describeWorkingTime(wt);
  return [{
    kind: "outside-hours",
    severity: "warning",
    summary: `${count} reveal(s) outside working hours (${hours}) from ${windowText(w)}: ${perActorText(groups)}`,
    seqs: await firstSeqs(where),
    basis: basis(w, `${REVEAL_RULE}; at outside ${hours} (${work.length} working intervals in the window)`, null, count),
  }];
}

async function noRequest(w: Window): Promise<Flag[]> {
  // A complaint contact reveal is bound to its complaint (its target); only subject reveals can lack a request.
  const where: Where = { AND: [revealEvents(w), { action: "subject.reveal", requestId: null }] };
  const groups = await byActor(where);
  const count = groups.reduce((n, g) => n + g.count, 0);
  if (!count) return [];
  return [{
    kind: "no-request",
    severity: "warning",
    summary: `${count} reveal(s) without a linked request (a stated purpose only) from ${windowText(w)}: ${perActorText(groups)}`,
    seqs: await firstSeqs(where),
    basis: basis(w, `${REVEAL_RULE}; subject.reveal with requestId null`, null, count),
  }];
}

export async function anomalyFlags(opts: AnomalyOptions = {}): Promise<Flag[]> {
  const now = opts.now ?? new Date();
  const w: Window = { since: opts.since ?? new Date(now.getTime() - 30 * 86_400_000), until: now };
  const wt = opts.workingTime ?? env().workingTime;
  return [
    ...(await manySubjects(w, wt.timeZone)),
    ...(await outsideHours(w, wt)),
    ...(await noRequest(w)),
    ...(await deniedFlags(w)),
    ...(await logIntegrityFlags(w, opts.witnessMaxAgeHours ?? env().CUSTODIAN_WITNESS_MAX_AGE_HOURS)),
  ];
}

/** The thresholds in one sentence, for the page under the flags. */
export function describeThresholds(wt: WorkingTime = env().workingTime, witnessMaxAgeHours = env().CUSTODIAN_WITNESS_MAX_AGE_HOURS): string {
  return `more than ${THRESHOLDS.subjectsPerActorPerDay} people revealed by one person in a day (${wt.timeZone}); working hours ${describeWorkingTime(wt)}; ` +
    `${THRESHOLDS.deniedPerActor} or more denied attempts by one account, against one account or from one address; no tree head for ${THRESHOLDS.checkpointOverdueHours} h; ` +
    `no witness run or head fetch recorded for ${witnessMaxAgeHours} h.`;
}
