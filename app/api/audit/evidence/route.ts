import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { buildEvidencePack, EvidenceError } from "@/lib/audit/workspace/evidence";
import { recordEvidence, recordEvidenceRefused } from "@/lib/audit/workspace/views";
import { sampleParamsFromRequest } from "@/lib/audit/workspace/schemas";

export const dynamic = "force-dynamic";

// GET /api/audit/evidence?seed=S&n=N&cutoff=T - the signed evidence pack of a seeded sample (zip),
// as `audit:evidence` writes it; check it offline with `audit:check-evidence`. The workspace links
// here with the cut-off of the sample on screen, so the pack holds exactly those requests (without
// a cut-off: now). Logged (audit.evidence: seed, N, cut-off, the sampled request ids, SHA-256).
export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const params = sampleParamsFromRequest(request);
  if (params instanceof Response) return params;
  const { seed, n } = params;
  const cutoff = params.cutoff ?? new Date().toISOString();
  let pack;
  try {
    pack = await buildEvidencePack({ seed, n, cutoff });
  } catch (e) {
    // No key file, another key than the tree head's, or no head yet: nothing was signed.
    if (!(e instanceof EvidenceError)) throw e;
    await recordEvidenceRefused(actorOf(op), { seed, n, cutoff }, e.message);
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
