import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { sha256 } from "@/lib/exports/build";
import { deleteStoredPackage, readEncrypted } from "@/lib/exports/store";
import { withPersonLog } from "@/lib/subjects/person-log";
import { tokenHash } from "@/lib/exports/workflow";

// The one-time download behind the public link (app/api/exports/download/[token]/route.ts):
// GET shows a landing page (checkDownloadLink, read-only), the button POSTs (downloadPackage).
// The token is the credential: only its SHA-256 is stored. Order: find by hash, refuse if
// revoked/used/expired, decrypt and check the checksum, then mark it downloaded with a
// conditional update (state approved, not yet downloaded, not expired) in the same transaction
// as the access-log entry: of two simultaneous downloads exactly one wins. The stored files are
// deleted once the bytes are in hand.

export type DownloadResult =
  | { ok: true; zip: Buffer; fileName: string; sha256: string }
  | { ok: false; status: 404 | 410 | 500; message: string };

export type LinkCheck = { ok: true; expiresAt: Date } | { ok: false; status: 404 | 410; message: string };

const tokenShape = (token: string) => /^[A-Za-z0-9_-]{20,100}$/.test(token);
const NOT_VALID = "This download link is not valid. Check that you copied the whole link.";

/**
 * What the link's landing page (GET) may say: whether the link can still be used. Reads only:
 * no state change, no access-log entry, nothing about the person. Mail scanners that prefetch
 * the link therefore cannot use it up; only the POST (downloadPackage) does.
 */
export async function checkDownloadLink(token: string, now = new Date()): Promise<LinkCheck> {
  const pkg = tokenShape(token)
    ? await db().exportPackage.findUnique({ where: { downloadTokenHash: tokenHash(token) }, select: { state: true, revokedAt: true, downloadedAt: true, downloadExpiresAt: true } })
    : null;
  if (!pkg) return { ok: false, status: 404, message: NOT_VALID };
  if (pkg.state === "revoked" || pkg.revokedAt) return { ok: false, status: 410, message: "This download link was withdrawn. Please contact us for a new one." };
  if (pkg.state === "downloaded" || pkg.downloadedAt) return { ok: false, status: 410, message: "This download link has already been used; each link works once. Please contact us if you need another copy." };
  if (pkg.state !== "approved" || !pkg.downloadExpiresAt || pkg.downloadExpiresAt <= now) return { ok: false, status: 410, message: "This download link has expired. Please contact us for a new one." };
  return { ok: true, expiresAt: pkg.downloadExpiresAt };
}

/** The download itself (POST only): consumes the link. */
export async function downloadPackage(token: string, client: { ip?: string | null; userAgent?: string | null }, now = new Date()): Promise<DownloadResult> {
  const actor: Actor = { id: null, label: "subject-link", role: "subject", ip: client.ip ?? null, userAgent: client.userAgent ?? null };
  const pkg = tokenShape(token) ? await db().exportPackage.findUnique({ where: { downloadTokenHash: tokenHash(token) } }) : null;
  if (!pkg) {
    await recordAccess({ actor, action: "export.download", outcome: "not_found" });
    return { ok: false, status: 404, message: NOT_VALID };
  }
  const base = { actor, action: "export.download", target: { type: "request" as const, ref: pkg.requestId }, requestId: pkg.requestId };
  const refuse = async (reason: string, message: string): Promise<DownloadResult> => {
    await recordAccess({ ...base, outcome: "denied", details: { packageId: pkg.id, reason } });
    return { ok: false, status: 410, message };
  };
  if (pkg.state === "revoked" || pkg.revokedAt) return refuse("revoked", "This download link was withdrawn. Please contact us for a new one.");
  if (pkg.state === "downloaded" || pkg.downloadedAt) return refuse("used", "This download link has already been used; each link works once. Please contact us if you need another copy.");
  if (pkg.state === "expired" || !pkg.downloadExpiresAt || pkg.downloadExpiresAt <= now) {
    await db().exportPackage.updateMany({ where: { id: pkg.id, state: "approved" }, data: { state: "expired" } });
    deleteStoredPackage(pkg.id);
    return refuse("expired", "This download link has expired. Please contact us for a new one.");
  }
  let zip: Buffer;
  try {
    zip = readEncrypted(pkg.id, "zip");
    if (sha256(zip) !== pkg.sha256) throw new Error("checksum");
  } catch {
    await recordAccess({ ...base, outcome: "error", details: { packageId: pkg.id, reason: "stored file missing or altered" } });
    return { ok: false, status: 500, message: "The package could not be read. Please contact us; we will prepare it again." };
  }
  // The winning download is logged against the person (each linked identifier's pseudonym).
  const won = await withPersonLog(
    pkg.requestId,
    (n: number) => ({ actor, action: "export.download", requestId: pkg.requestId, outcome: n === 1 ? "ok" : "denied", details: { packageId: pkg.id, ...(n === 1 ? { sha256: pkg.sha256 } : { reason: "used" }) } }),
    async (tx) => (await tx.exportPackage.updateMany({
      where: { id: pkg.id, state: "approved", downloadedAt: null, revokedAt: null, downloadExpiresAt: { gt: now } },
      data: { state: "downloaded", downloadedAt: now },
    })).count,
  );
  if (won !== 1) return { ok: false, status: 410, message: "This download link has already been used; each link works once." };
  deleteStoredPackage(pkg.id);
  const ref = await db().request.findUnique({ where: { id: pkg.requestId }, select: { reference: true } });
  const name = `${pkg.kind}-package-${(ref?.reference ?? pkg.id).replace(/[^A-Za-z0-9-]/g, "_")}.zip`;
  return { ok: true, zip, fileName: name, sha256: pkg.sha256 };
}
