import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { attestationFile } from "@/lib/retention/attestation";

export const dynamic = "force-dynamic";

// GET /api/retention/attestations/[id] - one signed retention attestation as a JSON file (file
// names, dates and counts; no log line). The download is access-logged.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const op = await requireApiOperator("retention.attestations");
  if (op instanceof Response) return op;
  const { id } = await params;
  const row = await db().retentionAttestation.findUnique({ where: { id: id.slice(0, 100) } });
  if (!row) return Response.json({ error: { code: "not_found", message: "No such attestation." } }, { status: 404 });
  await recordAccess({ actor: actorOf(op), action: "retention.attestation.download", outcome: "ok", details: { attestationId: row.id, kind: row.kind } });
  return new Response(attestationFile(row), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="retention-attestation-${row.id}.json"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
