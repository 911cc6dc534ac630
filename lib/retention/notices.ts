import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { can, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import { RETENTION_CLASSES, type RetentionClass } from "@/lib/logs/retention";
import { formatCalendarDate, parseCalendarDate } from "@/lib/requests/due-date";

// Recorded versions of the privacy notice (PrivacyNoticeVersion). Each states, per log retention
// class, the longest period the notice promises, the section promising it and the SHA-256 of the
// notice's text. An admin proposes a version; a DIFFERENT admin approves it (or either rejects
// it). The version IN FORCE is the newest approved one whose effective date has come; retention
// policies (policies.ts) never exceed its limits, nor those of the version they name, nor those of
// an approved version still to come. The migration seeds the built-in version 1.1.0 as approved.
// Every change is one transaction with its access-log entry; a refusal changes nothing (a
// separation-of-duties refusal leaves a denied entry). The database refuses to delete a version or
// change a decided one (triggers).

export type NoticeState = "proposed" | "approved" | "rejected";
export type NoticeLimits = Record<RetentionClass, number>;
export type NoticeSections = Partial<Record<RetentionClass, string>>;

export type RecordedNotice = {
  id: string;
  version: string;
  effectiveFrom: Date;
  limits: NoticeLimits;
  sections: NoticeSections;
  textSha256: string | null;
  reason: string;
  state: NoticeState;
  proposedById: string | null;
  proposedAt: Date;
  approvedById: string | null;
  approvedAt: Date | null;
  rejectedById: string | null;
  rejectedAt: Date | null;
  rejectReason: string | null;
};

/** shared/seed/privacy-notice.md as the migration records it (20261204100000_notice_versions). */
export const BUILT_IN_NOTICE = {
  version: "1.1.0",
  effectiveFrom: "2019-07-23",
  limits: { lookup: 7, haproxy: 60, application: 60, connection: 180 } satisfies NoticeLimits,
  sections: { lookup: "3.2.2", haproxy: "3.2.2", application: "3.9", connection: "3.2.2" } satisfies NoticeSections,
  textSha256: "52dba89b5676f139eee900aba73ebbef078919b979e273c7ba8afcf2d658973a",
} as const;

export const MAX_LIMIT_DAYS = 3650;

type Row = Omit<RecordedNotice, "limits" | "sections" | "state"> & { limits: string; sections: string; state: string };

function fromRow(r: Row): RecordedNotice {
  const limits = JSON.parse(r.limits) as Record<string, unknown>;
  for (const c of RETENTION_CLASSES) {
    const d = limits[c];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1) throw new Error(`Privacy notice ${r.version}: its recorded limit for ${c} is unreadable.`);
  }
  const sections = JSON.parse(r.sections) as Record<string, unknown>;
  return {
    ...r,
    state: r.state as NoticeState,
    limits: Object.fromEntries(RETENTION_CLASSES.map((c) => [c, limits[c]])) as NoticeLimits,
    sections: Object.fromEntries(RETENTION_CLASSES.filter((c) => typeof sections[c] === "string").map((c) => [c, sections[c]])) as NoticeSections,
  };
}

/** Newest effective date first; proposals of the same day by time. */
const newestFirst = (a: RecordedNotice, b: RecordedNotice) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || b.proposedAt.getTime() - a.proposedAt.getTime();

export type NoticeBook = {
  all: RecordedNotice[];
  /** The newest approved version whose effective date has come (null only if none is recorded). */
  inForce: RecordedNotice | null;
  /** Approved versions that take effect after `now`, soonest first. */
  upcoming: RecordedNotice[];
  byVersion(version: string): RecordedNotice | undefined;
};

/** Every recorded version (a handful of rows), newest first, and which one is in force at `now`. */
export async function loadNotices(now = new Date()): Promise<NoticeBook> {
  const all = (await db().privacyNoticeVersion.findMany()).map(fromRow).sort(newestFirst);
  const approved = all.filter((n) => n.state === "approved");
  return {
    all,
    inForce: approved.find((n) => n.effectiveFrom.getTime() <= now.getTime()) ?? null,
    upcoming: approved.filter((n) => n.effectiveFrom.getTime() > now.getTime()).reverse(),
    byVersion: (v) => all.find((n) => n.version === v),
  };
}

/** "Privacy notice 1.1.0 (3.2.2)": how refusals name a version and the section of a class. */
export function noticeLabel(n: Pick<RecordedNotice, "version" | "sections">, c?: RetentionClass): string {
  const section = c ? n.sections[c] : undefined;
  return `privacy notice ${n.version}${section ? ` (${section})` : ""}`;
}

/** What an attestation records about the version in force. */
export function attestedNotice(n: RecordedNotice | null) {
  if (!n) return null;
  return { version: n.version, effectiveFrom: formatCalendarDate(n.effectiveFrom), limits: n.limits, sections: n.sections, textSha256: n.textSha256, approvedAt: n.approvedAt?.toISOString() ?? null };
}

// --- Input ------------------------------------------------------------------------------------

export type NoticeInput = {
  version: unknown;
  effectiveFrom: unknown;
  /** Days per class, as typed (strings) or numbers. Every class is required; no other key is allowed. */
  limits: Record<string, unknown>;
  sections?: Record<string, unknown>;
  textSha256?: unknown;
  reason: unknown;
};
type ParsedNotice = { version: string; effectiveFrom: Date; limits: NoticeLimits; sections: NoticeSections; textSha256: string | null; reason: string };

export type NoticeResult<T = object> =
  | ({ ok: true } & T)
  | { ok: false; code: "invalid" | "denied" | "not_found" | "conflict"; message: string; errors?: Record<string, string[]> };

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;
const SECTION = /^[0-9A-Za-z§.() -]{1,20}$/;
const str = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");
const isClass = (c: string): c is RetentionClass => (RETENTION_CLASSES as readonly string[]).includes(c);
const CLASS_LIST = RETENTION_CLASSES.join(", ");

/** Checks a proposal's fields; field errors are keyed as the form's fields ("limit.<class>"). */
export function parseNoticeInput(raw: NoticeInput): { ok: true; value: ParsedNotice } | { ok: false; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const err = (k: string, m: string) => (errors[k] ??= []).push(m);
  const version = str(raw.version);
  if (!VERSION.test(version)) err("version", "Enter the notice's version label, e.g. 1.2.0 (letters, digits, \".\", \"+\" or \"-\"; at most 32 characters).");
  const effectiveFrom = parseCalendarDate(str(raw.effectiveFrom));
  if (!effectiveFrom) err("effectiveFrom", "Enter the day this version takes effect as YYYY-MM-DD.");
  const limits: Partial<NoticeLimits> = {};
  for (const k of Object.keys(raw.limits ?? {})) if (!isClass(k)) err("limits", `Unknown retention class "${k}": the classes are ${CLASS_LIST}.`);
  for (const c of RETENTION_CLASSES) {
    const typed = str(raw.limits?.[c]);
    if (!typed) err(`limit.${c}`, `Give the notice's limit for ${c} in days.`);
    else if (!/^\d{1,5}$/.test(typed) || Number(typed) < 1 || Number(typed) > MAX_LIMIT_DAYS) err(`limit.${c}`, `The limit for ${c} must be a whole number of days from 1 to ${MAX_LIMIT_DAYS}.`);
    else limits[c] = Number(typed);
  }
  const sections: NoticeSections = {};
  for (const [k, v] of Object.entries(raw.sections ?? {})) {
    if (!isClass(k)) {
      err("sections", `Unknown retention class "${k}": the classes are ${CLASS_LIST}.`);
      continue;
    }
    const s = str(v);
    if (!s) continue;
    if (!SECTION.test(s)) err(`section.${k}`, "A section reference is at most 20 letters, digits, spaces or . § ( ) -, e.g. 3.2.2.");
    else sections[k] = s;
  }
  const hash = str(raw.textSha256).toLowerCase();
  if (hash && !/^[0-9a-f]{64}$/.test(hash)) err("textSha256", "The SHA-256 of the notice's text is 64 hexadecimal characters (or leave it empty).");
  const reason = str(raw.reason);
  if (reason.length < 10 || reason.length > 500) err("reason", "Say why (what changed in the notice), 10 to 500 characters.");
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { version, effectiveFrom: effectiveFrom!, limits: limits as NoticeLimits, sections, textSha256: hash || null, reason } };
}

const invalid = (errors: Record<string, string[]>, message = "Check the highlighted fields. Nothing was changed.") => ({ ok: false as const, code: "invalid" as const, message, errors });
const mayRecord = (actor: Actor) => Boolean(actor.id) && isRole(actor.role) && can(actor.role, "retention.notice");
const isUniqueViolation = (e: unknown) => typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "P2002";

/** A new version must take effect after every approved one (it is newer than all of them). */
function notAfterApproved(book: NoticeBook, effectiveFrom: Date): RecordedNotice | undefined {
  return book.all.find((n) => n.state === "approved" && n.effectiveFrom.getTime() >= effectiveFrom.getTime());
}

const logged = (n: Pick<RecordedNotice, "id" | "version" | "effectiveFrom" | "limits" | "textSha256">) => ({
  noticeId: n.id, version: n.version, effectiveFrom: formatCalendarDate(n.effectiveFrom), limits: n.limits, textSha256: n.textSha256,
});

// --- Propose, approve, reject -----------------------------------------------------------------

/** An admin records a new version as proposed; nothing follows it until another admin approves it. */
export async function proposeNotice(actor: Actor, raw: NoticeInput, now = new Date()): Promise<NoticeResult<{ id: string; version: string }>> {
  if (!mayRecord(actor)) return { ok: false, code: "denied", message: "Only an administrator records privacy-notice versions. Nothing was changed." };
  const parsed = parseNoticeInput(raw);
  if (!parsed.ok) return invalid(parsed.errors);
  const v = parsed.value;
  const book = await loadNotices(now);
  const same = book.byVersion(v.version);
  if (same) return invalid({ version: [`Version ${v.version} is already recorded (${same.state}). Give the new version its own label.`] }, `Privacy notice ${v.version} is already recorded. Nothing was changed.`);
  const later = notAfterApproved(book, v.effectiveFrom);
  if (later) {
    return invalid({ effectiveFrom: [`Must be after ${formatCalendarDate(later.effectiveFrom)}, when the approved version ${later.version} takes effect: a new version follows the newest approved one.`] });
  }
  try {
    const row = await withAccessLog(
      (r: { id: string }) => ({ actor, action: "retention.notice.propose", outcome: "ok", at: now, details: logged({ id: r.id, ...v }) }),
      (tx) => tx.privacyNoticeVersion.create({
        data: { version: v.version, effectiveFrom: v.effectiveFrom, limits: JSON.stringify(v.limits), sections: JSON.stringify(v.sections), textSha256: v.textSha256, reason: v.reason, state: "proposed", proposedById: actor.id, proposedAt: now },
        select: { id: true },
      }),
    );
    return { ok: true, id: row.id, version: v.version };
  } catch (e) {
    if (isUniqueViolation(e)) return invalid({ version: [`Version ${v.version} was recorded meanwhile. Give the new version its own label.`] }, `Privacy notice ${v.version} is already recorded. Nothing was changed.`);
    throw e;
  }
}

async function findNotice(idOrVersion: string): Promise<RecordedNotice | null> {
  const row = await db().privacyNoticeVersion.findFirst({ where: { OR: [{ id: idOrVersion }, { version: idOrVersion }] } });
  return row ? fromRow(row) : null;
}

type StepUp = () => Promise<{ ok: true } | { ok: false; message: string }>;

/** A second admin (not the proposer) approves a proposed version as it was proposed. */
export async function approveNotice(actor: Actor, idOrVersion: string, o: { now?: Date; stepUp?: StepUp } = {}): Promise<NoticeResult<{ id: string; version: string }>> {
  const now = o.now ?? new Date();
  const n = await findNotice(idOrVersion.trim());
  if (!n) return { ok: false, code: "not_found", message: `No privacy-notice version "${idOrVersion}" is recorded.` };
  const deny = async (message: string) => {
    await recordAccess({ actor, action: "retention.notice.approve", outcome: "denied", at: now, details: { noticeId: n.id, version: n.version, reason: message } });
    return { ok: false as const, code: "denied" as const, message };
  };
  if (!mayRecord(actor)) return deny("Only an administrator approves privacy-notice versions. Nothing was changed.");
  if (n.state !== "proposed") return { ok: false, code: "conflict", message: `Privacy notice ${n.version} is ${n.state}; only a proposed version can be approved. Nothing was changed.` };
  if (n.proposedById === actor.id) return deny(`A privacy-notice version needs a second administrator: you proposed ${n.version}. Nothing was changed.`);
  const book = await loadNotices(now);
  const later = notAfterApproved(book, n.effectiveFrom);
  if (later) return { ok: false, code: "conflict", message: `Privacy notice ${later.version}, approved meanwhile, takes effect on ${formatCalendarDate(later.effectiveFrom)}, not before ${n.version}: propose ${n.version} again with a later date. Nothing was changed.` };
  // Every active policy must fit the new promises before they are made.
  const active = await db().retentionPolicy.findMany({ where: { state: "active" } });
  const over = active.filter((p) => isClass(p.retentionClass) && p.periodDays > n.limits[p.retentionClass]);
  if (over.length) {
    const list = over.map((p) => `${p.scope} ${p.retentionClass} ${p.periodDays} days > ${n.limits[p.retentionClass as RetentionClass]}`).join("; ");
    return { ok: false, code: "conflict", message: `Active retention policies keep logs longer than ${noticeLabel(n)} would promise (${list}). Shorten them first (a policy change, approved by a second administrator). Nothing was changed.` };
  }
  if (o.stepUp) {
    const code = await o.stepUp();
    if (!code.ok) return { ok: false, code: "denied", message: code.message };
  }
  try {
    await withAccessLog({ actor, action: "retention.notice.approve", outcome: "ok", at: now, details: logged(n) }, async (tx) => {
      const claimed = await tx.privacyNoticeVersion.updateMany({ where: { id: n.id, state: "proposed" }, data: { state: "approved", approvedById: actor.id, approvedAt: now } });
      if (claimed.count !== 1) throw new NoticeChanged();
    });
  } catch (e) {
    if (e instanceof NoticeChanged) return { ok: false, code: "conflict", message: `Privacy notice ${n.version} was decided meanwhile. Nothing was changed.` };
    throw e;
  }
  return { ok: true, id: n.id, version: n.version };
}

class NoticeChanged extends Error {}

/** An admin (the proposer withdrawing it, or another) rejects a proposed version, with a reason. */
export async function rejectNotice(actor: Actor, idOrVersion: string, reasonRaw: unknown, now = new Date()): Promise<NoticeResult<{ id: string; version: string }>> {
  const n = await findNotice(idOrVersion.trim());
  if (!n) return { ok: false, code: "not_found", message: `No privacy-notice version "${idOrVersion}" is recorded.` };
  if (!mayRecord(actor)) return { ok: false, code: "denied", message: "Only an administrator rejects privacy-notice versions. Nothing was changed." };
  const reason = str(reasonRaw);
  if (reason.length < 10 || reason.length > 500) return invalid({ reason: ["Say why it is rejected, 10 to 500 characters."] });
  if (n.state !== "proposed") return { ok: false, code: "conflict", message: `Privacy notice ${n.version} is ${n.state}; only a proposed version can be rejected. Nothing was changed.` };
  try {
    await withAccessLog({ actor, action: "retention.notice.reject", outcome: "ok", at: now, details: { noticeId: n.id, version: n.version, byProposer: n.proposedById === actor.id } }, async (tx) => {
      const claimed = await tx.privacyNoticeVersion.updateMany({ where: { id: n.id, state: "proposed" }, data: { state: "rejected", rejectedById: actor.id, rejectedAt: now, rejectReason: reason } });
      if (claimed.count !== 1) throw new NoticeChanged();
    });
  } catch (e) {
    if (e instanceof NoticeChanged) return { ok: false, code: "conflict", message: `Privacy notice ${n.version} was decided meanwhile. Nothing was changed.` };
    throw e;
  }
  return { ok: true, id: n.id, version: n.version };
}

// --- Policies against notices -----------------------------------------------------------------

/**
 * The limit a log policy must respect: that of the version it names (default: the one in force),
 * which must be approved and in effect, of the version in force, and of every approved version
 * still to come. Returns the version the policy follows, or why not.
 */
export function checkPolicyAgainstNotices(
  book: NoticeBook,
  input: { retentionClass: RetentionClass; periodDays: number; noticeVersion?: string },
): { ok: true; notice: RecordedNotice } | { ok: false; message: string } {
  const inForce = book.inForce;
  if (!inForce) return { ok: false, message: "No approved privacy-notice version is in force: record and approve one first. Nothing was changed." };
  let named = inForce;
  if (input.noticeVersion !== undefined && input.noticeVersion !== inForce.version) {
    const n = book.byVersion(input.noticeVersion);
    if (!n) return { ok: false, message: `Privacy-notice version "${input.noticeVersion}" is not recorded. Nothing was changed.` };
    if (n.state !== "approved") return { ok: false, message: `Privacy notice ${n.version} is ${n.state}, not approved: a policy can only follow an approved version (a second administrator approves it). Nothing was changed.` };
    if (book.upcoming.includes(n)) return { ok: false, message: `Privacy notice ${n.version} takes effect on ${formatCalendarDate(n.effectiveFrom)}; until then policies follow ${inForce.version}. Nothing was changed.` };
    named = n;
  }
  const c = input.retentionClass;
  for (const n of [named, inForce, ...book.upcoming]) {
    const limit = n.limits[c];
    if (input.periodDays > limit) {
      const when = n === inForce ? "in force" : book.upcoming.includes(n) ? `approved, in force from ${formatCalendarDate(n.effectiveFrom)}` : "named by the policy";
      return {
        ok: false,
        message: `Privacy notice ${n.version}${n.sections[c] ? ` (${n.sections[c]})` : ""}, ${when}, promises at most ${limit} days for ${c}; ${input.periodDays} days needs a newer version of the notice, recorded and approved first. Nothing was changed.`,
      };
    }
  }
  return { ok: true, notice: named };
}
