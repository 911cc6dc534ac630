import { actorOf, requireApiOperator } from "@/lib/auth/guard";
import { recordAccess } from "@/lib/audit/log";
import { buildEvidencePack, EvidenceError } from "@/lib/audit/workspace/evidence";

export const dynamic = "force-dynamic";

// GET /api/audit/evidence?seed=S&n=N - the signed evidence pack of a seeded sample (zip), as
// `audit:evidence` writes it; check it offline with `audit:check-evidence`. Logged (audit.evidence).
export async function GET(request: Request): Promise<Response> {
  const op = await requireApiOperator("accessLog.export");
  if (op instanceof Response) return op;
  const q = new URL(request.url).searchParams;
  const seed = q.get("seed") ?? "";
  const n = Number(q.get("n") ?? "10");
  if (!/^[\w.-]{1,64}$/.test(seed) || !Number.isInteger(n) || n < 1 || n > 100) {
    return Response.json({ error: { code: "bad-request", message: "seed: 1-64 letters, digits, '.', '-' or '_'; n: 1-100." } }, { status: 400 });
  }
  let pack;
  try {
    pack = await buildEvidencePack(seed, n);
  } catch (e) {
    // No key file, another key than the tree head's, or no head yet: nothing was signed.
    if (!(e instanceof EvidenceError)) throw e;
    await recordAccess({ actor: actorOf(op), action: "audit.evidence", outcome: "error", details: { seed, n, reason: e.message } });
    return Response.json({ error: { code: "evidence-unavailable", message: `Evidence pack not made: ${e.message}.` } }, { status: 503 });
  }
  await recordAccess({ actor: actorOf(op), action: "audit.evidence", outcome: "ok", details: { seed, n, requests: pack.sample.requests.length, entries: pack.entries, sha256: pack.sha256 } });
  return new Response(new Uint8Array(pack.zip), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="evidence-${seed}-${n}.zip"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
