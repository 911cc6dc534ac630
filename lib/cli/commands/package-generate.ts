import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { db } from "@/lib/db";
import { PACKAGE_KINDS, type PackageKind } from "@/lib/exports/types";
import { generatePackage } from "@/lib/exports/workflow";

// Same workflow, permission and access-log entries as the request page's Generate button.
// Output: the package id, state and checksum (no personal data); review it in the console.

export default defineCommand({
  name: "package:generate",
  summary: "Generate the access or portability package of a request (needs exports.generate).",
  options: {
    operator: { type: "string", description: "Staff e-mail with exports.generate (required; named in the log)." },
    request: { type: "string", description: "Request id or reference (e.g. DSR-2026-0001)." },
    kind: { type: "string", description: "access or portability (default: the request's type)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "exports.generate");
    const ref = String(values.request ?? "").trim();
    if (!ref) throw new UsageError("--request <id or reference> is required.");
    const kind = values.kind as string | undefined;
    if (kind && !(PACKAGE_KINDS as readonly string[]).includes(kind)) throw new UsageError("--kind must be access or portability.");
    const request = await db().request.findFirst({ where: { OR: [{ id: ref }, { reference: ref }] }, select: { id: true, reference: true } });
    if (!request) throw new UsageError(`No request "${ref}".`);
    const r = await generatePackage(actor, request.id, kind as PackageKind | undefined);
    if (!r.ok) {
      printJson({ ok: false, code: r.code, message: r.message });
      return 1;
    }
    const pkg = await db().exportPackage.findUnique({ where: { id: r.packageId }, select: { kind: true, state: true, sizeBytes: true, summary: true } });
    printJson({ ok: true, request: request.reference, packageId: r.packageId, sha256: r.sha256, ...pkg, summary: pkg ? JSON.parse(pkg.summary) : null });
    return 0;
  },
});
