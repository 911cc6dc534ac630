import crypto from "node:crypto";
import { advanceRequest } from "@/lib/requests/advance";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor, Target } from "@/lib/audit/types";
import { canApprove, isRole } from "@/lib/authz";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { buildPackage, sha256 } from "@/lib/exports/build";
import { sealCheckpoint } from "@/lib/audit/checkpoint";
import { latestSth } from "@/lib/audit/proofs";
import { inclusionProofsFor } from "@/lib/audit/person-proofs";
import { accessHistoryFor, collectFindings, readLinkedSubjects, type Finder } from "@/lib/exports/collect";
import { disclosuresForPackage } from "@/lib/rights/disclosures";
import { activeRestrictions, identifiersOf, pseudonymsOf, RESTRICTION_GROUND_LABELS } from "@/lib/rights/restrictions";
import { reviewBundle } from "@/lib/exports/review";
import { deleteStoredPackage, purgeExpiredPackages, readEncrypted, storagePathFor, writeEncrypted } from "@/lib/exports/store";
import { withPersonLog } from "@/lib/subjects/person-log";
import { PACKAGE_KINDS, type PackageKind } from "@/lib/exports/types";
import { zipFiles } from "@/lib/exports/zip";

// The release workflow: generate -> review -> approve (a second person) -> download once
// (download.ts). Every step writes an access-log entry carrying the requestId, so it appears on
// the request's timeline; the steps that handle the person's data (generate, review, download)
// target the person's pseudonyms (lib/subjects/person-log.ts), the others the request.
// Used by the server actions (actions.ts), the CLI and the tests.

export type WorkflowResult<T = object> = ({ ok: true } & T) | { ok: false; code: "not_found" | "invalid" | "denied" | "conflict"; message: string };

const requestTarget = (id: string): Target => ({ type: "request", ref: id });

/**
 * Seals a signed tree head when the latest one does not cover every entry the package lists, so
 * that the person gets an inclusion proof for each record instead of "pending". A failure to seal
 * (the key file missing or unreadable: sealing never starts a new key for a log that has heads)
 * does not stop the package: the newer records are then listed pending.
 */
async function sealToCover(actor: Actor, listed: { seq: number }[]): Promise<void> {
  const newest = listed.reduce((m, e) => Math.max(m, e.seq), 0);
  if (!newest) return;
  const head = await latestSth(db()); // the head the proofs are made against (a signed root)
  if ((head?.size ?? 0) >= newest) return;
  try {
    await sealCheckpoint(actor);
  } catch (e) {
    console.error(`package: could not seal a tree head first (${(e as Error).message}); the newest records are listed as pending`);
  }
}

export async function generatePackage(
  actor: Actor, requestId: string, kind?: PackageKind, o: { now?: Date; find?: Finder } = {},
): Promise<WorkflowResult<{ packageId: string; sha256: string }>> {
  const now = o.now ?? new Date();
  await purgeExpiredPackages(now); // housekeeping: no stored package outlives its link
  const request = await db().request.findUnique({ where: { id: requestId }, select: { id: true, reference: true, type: true, closedAt: true } });
  if (!request) return { ok: false, code: "not_found", message: "No such request." };
  const refuse = async (message: string): Promise<WorkflowResult<never>> => {
    await recordAccess({ actor, action: "export.generate", target: requestTarget(request.id), requestId: request.id, outcome: "invalid", details: { reason: message } });
    return { ok: false, code: "invalid", message };
  };
  const chosen = kind ?? (request.type as PackageKind);
  if (!(PACKAGE_KINDS as readonly string[]).includes(request.type)) return refuse("Packages are made for access or portability requests only.");
  if (!(PACKAGE_KINDS as readonly string[]).includes(chosen)) return refuse("Choose access or portability.");
  if (request.closedAt) return refuse("The request is closed.");
  if (!actor.id) return refuse("Only a staff member can generate a package.");
  const subjects = await readLinkedSubjects(request.id);
  if (subjects.length === 0) return refuse("Link the person to this request first (search on the Subjects page, then link).");

  const findings = await collectFindings(subjects, o.find);
  const accessHistory = await accessHistoryFor(findings);
  const personIds = identifiersOf(findings.identifiers);
  const disclosures = await disclosuresForPackage(personIds, now);
  const restrictions = (await activeRestrictions(pseudonymsOf(personIds))).map((r) => ({ ground: RESTRICTION_GROUND_LABELS[r.ground], since: r.since.toISOString().slice(0, 10) }));
  const listed = accessHistory.filter((h) => h.seq && h.hash).map((h) => ({ seq: h.seq!, hash: h.hash! }));
  await sealToCover(actor, listed);
  const accessProofs = await inclusionProofsFor(listed);
  const built = buildPackage({ findings, request, kind: chosen, accessHistory, generatedAt: now, accessProofs, disclosures, restrictions });
  const zipped = await zipFiles(built.files, now);
  const id = crypto.randomUUID().replace(/-/g, "");
  writeEncrypted(id, "zip", zipped.zip);
  writeEncrypted(id, "review", reviewBundle(built.files, built.redactions));
  const masked = await db().requestSubject.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" }, select: { masked: true } });
  try {
    // Targeted at the person (each linked identifier's pseudonym), with the requestId.
    await withPersonLog(
      request.id,
      { actor, action: "export.generate", requestId: request.id, outcome: "ok",
        details: { packageId: id, kind: chosen, sha256: zipped.sha256, counts: built.summary.counts, redactions: built.summary.redactionCounts } },
      (tx) => tx.exportPackage.create({
        data: {
          id, requestId: request.id, kind: chosen, state: "generated", subjectMasked: masked.map((m) => m.masked).join(", "),
          generatedById: actor.id!, generatedAt: now, sha256: zipped.sha256, sizeBytes: zipped.zip.length,
          storagePath: storagePathFor(id), summary: JSON.stringify(built.summary),
        },
      }),
    );
  } catch (e) {
    deleteStoredPackage(id);
    throw e;
  }
  await advanceRequest(actor, requestId, "package.generated");
  return { ok: true, packageId: id, sha256: zipped.sha256 };
}

export const linkUrl = (token: string) => `${env().NEXTAUTH_URL.replace(/\/$/, "")}/api/exports/download/${token}`;
export const tokenHash = (token: string) => sha256(token);

/** exports.approve by someone other than the generator. Returns the one-time link ONCE. */
export async function approvePackage(
  approver: Actor, packageId: string, o: { now?: Date; linkDays?: number } = {},
): Promise<WorkflowResult<{ url: string; expiresAt: Date }>> {
  const now = o.now ?? new Date();
  const pkg = await db().exportPackage.findUnique({ where: { id: packageId } });
  if (!pkg) return { ok: false, code: "not_found", message: "No such package." };
  const log = (outcome: "ok" | "denied" | "invalid", details: Record<string, unknown>) =>
    ({ actor: approver, action: "export.approve", target: requestTarget(pkg.requestId), requestId: pkg.requestId, outcome, details: { packageId, ...details } });
  if (!approver.id || !isRole(approver.role) || !canApprove({ id: approver.id, role: approver.role }, "exports.approve", pkg.generatedById)) {
    const message = approver.id === pkg.generatedById
      ? "You generated this package, so you cannot approve it: a second person with the approve permission must (separation of duties)."
      : "Your role cannot approve packages.";
    await recordAccess(log("denied", { reason: message }));
    return { ok: false, code: "denied", message };
  }
  if (pkg.state !== "generated") {
    await recordAccess(log("invalid", { reason: `state ${pkg.state}` }));
    return { ok: false, code: "conflict", message: `This package is ${pkg.state}; only a newly generated package can be approved.` };
  }
  try {
    if (sha256(readEncrypted(pkg.id, "zip")) !== pkg.sha256) throw new Error("checksum");
  } catch {
    await recordAccess(log("invalid", { reason: "stored file missing or altered" }));
    return { ok: false, code: "invalid", message: "The stored package is missing or does not match its checksum. Generate a new one." };
  }
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + (o.linkDays ?? env().CUSTODIAN_EXPORT_LINK_DAYS) * 86_400_000);
  const updated = await withAccessLog(log("ok", { expiresAt: expiresAt.toISOString() }), async (tx) => {
    const r = await tx.exportPackage.updateMany({
      where: { id: pkg.id, state: "generated" },
      data: { state: "approved", approvedById: approver.id, approvedAt: now, downloadTokenHash: tokenHash(token), downloadExpiresAt: expiresAt },
    });
    if (r.count !== 1) throw new Error("conflict");
    return r.count;
  }).catch(() => 0);
  if (updated !== 1) return { ok: false, code: "conflict", message: "Someone else changed this package at the same moment. Reload the page." };
  await advanceRequest(approver, pkg.requestId, "package.approved");
  return { ok: true, url: linkUrl(token), expiresAt };
}

/** Withdraws a package that has not been downloaded yet; its files are deleted at once. */
export async function revokePackage(actor: Actor, packageId: string, o: { now?: Date } = {}): Promise<WorkflowResult> {
  const now = o.now ?? new Date();
  const pkg = await db().exportPackage.findUnique({ where: { id: packageId }, select: { id: true, requestId: true, state: true } });
  if (!pkg) return { ok: false, code: "not_found", message: "No such package." };
  const count = await withAccessLog(
    (n: number) => ({ actor, action: "export.revoke", target: requestTarget(pkg.requestId), requestId: pkg.requestId, outcome: n === 1 ? "ok" : "invalid", details: { packageId, from: pkg.state } }),
    async (tx) => (await tx.exportPackage.updateMany({ where: { id: pkg.id, state: { in: ["generated", "approved"] } }, data: { state: "revoked", revokedAt: now } })).count,
  );
  if (count !== 1) return { ok: false, code: "conflict", message: `This package is ${pkg.state} and can no longer be revoked.` };
  deleteStoredPackage(pkg.id);
  return { ok: true };
}
