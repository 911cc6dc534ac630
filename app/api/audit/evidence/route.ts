import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { buildEvidencePack, EvidenceError } from "@/lib/audit/workspace/evidence";
import { recordEvidence } from "@/lib/audit/workspace/views";
import { sampleParamsError, sampleParamsSchema } from "@/lib/audit/workspace/schemas";
import { searchParamsObject } from "@/lib/validation";

export const dynamic = "force-dynamic";

// GET /api/audit/evidence?seed=S&n=N&cutoff=T - the signed evidence pack of a seeded sample (zip),
// as `audit:evidence` writes it; check it offline with `audit:check-evidence`. The workspace links
// here with the cut-off of the sample on screen, so the pack holds exactly those requests (without
// a cut-off: now). Logged (audit.evidence: seed, N, cut-off, the sampled request ids, SHA-256).
export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const parsed = sampleParamsSchema.safeParse(searchParamsObject(new URL(request.url).searchParams));
  if (!parsed.success) return Response.json({ error: { code: "bad-request", message: sampleParamsError(parsed.error) } }, { status: 400 });
  const { seed, n } = parsed.data;
  const cutoff = parsed.data.cutoff ?? new Date().toISOString();
  let pack;
  try {
    pack = await buildEvidencePack({ seed, n, cutoff });
  } catch (e) {
    // No key file, another key than the tree head's, or no head yet: nothing was signed.
    if (!(e instanceof EvidenceError)) throw e;
    await recordAccess({ actor: actorOf(op), action: "audit.evidence", outcome: "error", details: { seed, n, cutoff, reason: e.message } });
    return Response.json({ error: { code: "evidence-unavailable", message: `Evidence pack not made: ${e.message}.` } }, { status: 503 });
  }
  await recordEvidence(actorOf(op), pack);
  return new Response(new Uint8Array(pack.zip), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="evidence-${seed}-${n}.zip"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
