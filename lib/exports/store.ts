import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { deriveKey } from "@/lib/keys";

/*
 * Stored, not rebuilt on download. The subject must receive exactly the bytes the reviewer saw
 * and the approver approved: rebuilding on download would re-run the search later, and the
 * identity databases, the log files (which expire) and the access log (the download itself adds
 * entries) will have changed, so the released package would differ from the reviewed one. We
 * store the zip at generation, record its SHA-256 on the ExportPackage row, check it again on
 * release, and keep it only as long as needed:
 *
 * - encrypted at rest with AES-256-GCM, key = HKDF(master key, "custodian:export-storage-v1"),
 *   a fresh 12-byte IV per file, "<package id>:<part>" as additional authenticated data (a file
 *   renamed to another package's name fails to decrypt);
 * - file $CUSTODIAN_DATA_DIR/exports/<id>.zip.enc, mode 0600 in a 0700 directory, and beside it
 *   <id>.review.enc (the same files unzipped plus the redaction list with masked "before" values),
 *   which the review page shows; it re-zips those files and checks the SHA-256 equals the stored
 *   zip's, so what the reviewer sees is provably what will be released (no unzip library needed);
 * - deleted after the download, on revocation, and by purgeExpiredPackages(now) once the link
 *   has expired (or a package was never approved within the link lifetime).
 *
 * File format: "CUSTEXP1" | iv (12) | tag (16) | ciphertext.
 */

const MAGIC = Buffer.from("CUSTEXP1", "ascii");

export function exportsDir(): string {
  return path.resolve(env().CUSTODIAN_DATA_DIR, "exports");
}

export type StoredPart = "zip" | "review";

/** <id>.zip.enc: the zip as released; <id>.review.enc: its files and the redaction list for the reviewer. */
export function storagePathFor(packageId: string, part: StoredPart = "zip"): string {
  if (!/^[a-z0-9]+$/i.test(packageId)) throw new Error("Invalid package id");
  return path.join(exportsDir(), `${packageId}.${part}.enc`);
}

export function writeEncrypted(packageId: string, part: StoredPart, plain: Buffer): string {
  const file = storagePathFor(packageId, part);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", deriveKey("export-storage-v1"), iv);
  cipher.setAAD(Buffer.from(`${packageId}:${part}`, "utf8"));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ct]), { mode: 0o600 });
  fs.renameSync(tmp, file);
  return file;
}

/** Throws when the file is missing, was tampered with, or belongs to another package or part. */
export function readEncrypted(packageId: string, part: StoredPart): Buffer {
  const raw = fs.readFileSync(storagePathFor(packageId, part));
  if (!raw.subarray(0, 8).equals(MAGIC)) throw new Error("Not a Custodian package file");
  const decipher = crypto.createDecipheriv("aes-256-gcm", deriveKey("export-storage-v1"), raw.subarray(8, 20));
  decipher.setAAD(Buffer.from(`${packageId}:${part}`, "utf8"));
  decipher.setAuthTag(raw.subarray(20, 36));
  return Buffer.concat([decipher.update(raw.subarray(36)), decipher.final()]);
}

export function hasStoredPackage(packageId: string): boolean {
  return fs.existsSync(storagePathFor(packageId, "zip"));
}

export function deleteStoredPackage(packageId: string): void {
  for (const part of ["zip", "review"] as const) fs.rmSync(storagePathFor(packageId, part), { force: true });
}

/**
 * Deletes the stored files of packages that can no longer be downloaded: link expired, or never
 * approved within `unapprovedMaxAgeDays`. Marks approved-but-expired packages "expired".
 * Returns the ids purged. For cron (npm run cli) and called before every download lookup.
 */
export async function purgeExpiredPackages(now: Date, unapprovedMaxAgeDays = 30): Promise<string[]> {
  const staleGenerated = new Date(now.getTime() - unapprovedMaxAgeDays * 86_400_000);
  const expired = await db().exportPackage.findMany({
    where: {
      OR: [
        { state: "approved", downloadExpiresAt: { lte: now } },
        { state: "generated", generatedAt: { lte: staleGenerated } },
      ],
    },
    select: { id: true, state: true },
  });
  for (const p of expired) {
    await db().exportPackage.updateMany({ where: { id: p.id, state: p.state }, data: { state: "expired" } });
    deleteStoredPackage(p.id);
  }
  return expired.map((p) => p.id);
}
