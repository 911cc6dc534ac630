import { sha256 } from "@/lib/exports/build";
import { readEncrypted } from "@/lib/exports/store";
import type { ExportFile, Redaction } from "@/lib/exports/types";
import { zipFiles } from "@/lib/exports/zip";

// What the reviewer sees. The review bundle holds the package's files and the redaction list
// (with masked "before" values); it is stored encrypted beside the zip. loadReview re-zips the
// bundle's files exactly as generation did and compares the SHA-256 with the stored zip's, so a
// reviewer can only ever approve what will really be released.

type Bundle = { files: { name: string; contentType: string; base64: string }[]; redactions: Redaction[] };

export function reviewBundle(files: ExportFile[], redactions: Redaction[]): Buffer {
  const bundle: Bundle = { files: files.map((f) => ({ name: f.name, contentType: f.contentType, base64: f.bytes.toString("base64") })), redactions };
  return Buffer.from(JSON.stringify(bundle), "utf8");
}

export type ReviewFile = { name: string; contentType: string; bytes: number; sha256: string; text: string };
export type Review =
  | { ok: true; files: ReviewFile[]; redactions: Redaction[]; zipSha256: string }
  | { ok: false; reason: "gone" | "mismatch" | "unreadable"; message: string };

export async function loadReview(pkg: { id: string; sha256: string; generatedAt: Date }): Promise<Review> {
  let bundle: Bundle;
  let storedZip: Buffer;
  try {
    bundle = JSON.parse(readEncrypted(pkg.id, "review").toString("utf8")) as Bundle;
    storedZip = readEncrypted(pkg.id, "zip");
  } catch (e) {
    const gone = (e as NodeJS.ErrnoException).code === "ENOENT";
    return gone
      ? { ok: false, reason: "gone", message: "The package files were deleted (downloaded, revoked or expired)." }
      : { ok: false, reason: "unreadable", message: "The stored package could not be decrypted: do not approve it; generate a new one." };
  }
  const files: ExportFile[] = bundle.files.map((f) => ({ name: f.name, contentType: f.contentType, bytes: Buffer.from(f.base64, "base64") }));
  const rebuilt = await zipFiles(files, pkg.generatedAt);
  if (rebuilt.sha256 !== pkg.sha256 || sha256(storedZip) !== pkg.sha256) {
    return { ok: false, reason: "mismatch", message: "The stored package does not match its recorded checksum: do not approve it; generate a new one." };
  }
  return {
    ok: true,
    zipSha256: pkg.sha256,
    redactions: bundle.redactions,
    files: files.map((f) => ({ name: f.name, contentType: f.contentType, bytes: f.bytes.length, sha256: sha256(f.bytes), text: f.bytes.toString("utf8") })),
  };
}
