import { db } from "@/lib/db";
import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, required } from "@/lib/erasure/bulk-cli";
import { getPackage } from "@/lib/exports/queries";
import { loadReview } from "@/lib/exports/review";
import { recordForPersons } from "@/lib/subjects/person-log";

// The package review page from the command line: the files exactly as they will be released
// (re-zipped and compared with the stored zip's SHA-256), the redactions, and with --file one
// file's content. Shows the subject's data in clear, so it is logged as export.review against the
// person and on the request, before anything is printed.

export default defineCommand({
  name: "package:review",
  summary: "Review a generated package: files, hashes, redactions, and --file <name> to print one (needs exports.review).",
  options: {
    ...operatorOption,
    package: { type: "string", description: "The package id (package:generate or request:show)." },
    file: { type: "string", description: "Print this file's content too (e.g. data.json, guide.html)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "exports.review");
    const id = required(values, "package");
    const row = await db().exportPackage.findUnique({ where: { id }, select: { requestId: true } });
    const pkg = row && (await getPackage(id, row.requestId));
    if (!pkg) return (printJson({ ok: false, code: "not_found", message: `No package "${id}".` }), 1);
    await recordForPersons(pkg.requestId, { actor, action: "export.review", requestId: pkg.requestId, outcome: "ok", details: { packageId: pkg.id } });
    const review = pkg.state === "generated" || pkg.state === "approved" ? await loadReview(pkg) : null;
    const info = {
      id: pkg.id, requestId: pkg.requestId, kind: pkg.kind, state: pkg.state, subject: pkg.subjectMasked, sha256: pkg.sha256, sizeBytes: pkg.sizeBytes,
      generatedAt: pkg.generatedAt.toISOString(), generatedBy: pkg.generatedByName, approvedBy: pkg.approvedByName ?? null,
      mayApprove: pkg.state === "generated" && actor.id !== pkg.generatedById,
    };
    if (!review) return (printJson({ ok: true, package: info, review: null, message: `A ${pkg.state} package has no files to review.` }), 0);
    if (!review.ok) return (printJson({ ok: false, code: review.reason, message: review.message, package: info }), 1);
    const file = typeof values.file === "string" ? review.files.find((f) => f.name === values.file) : undefined;
    if (typeof values.file === "string" && !file) {
      printJson({ ok: false, code: "invalid", message: `No file "${values.file}" in the package: ${review.files.map((f) => f.name).join(", ")}.` });
      return 2;
    }
    printJson({
      ok: true, package: info, zipSha256: review.zipSha256, matchesStoredZip: review.zipSha256 === pkg.sha256,
      files: review.files.map((f) => ({ name: f.name, contentType: f.contentType, bytes: f.bytes, sha256: f.sha256 })),
      redactions: review.redactions,
      ...(file ? { file: { name: file.name, text: file.text } } : {}),
    });
    return 0;
  },
});
