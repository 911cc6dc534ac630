import { headers } from "next/headers";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import { downloadPackage } from "@/lib/exports/download";
import { esc } from "@/lib/exports/guide-html";

export const dynamic = "force-dynamic";

// Public on purpose (ROUTE_RULES "public"): the single-use token in the link is the credential.
// lib/exports/download.ts checks it, marks the package downloaded atomically, logs the download
// on the request's timeline and deletes the stored file. Refusals are a small HTML page (or JSON
// when asked for) with 404 for an unknown link and 410 for a used, expired or withdrawn one.

const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff" };

function refusal(status: number, message: string, wantsJson: boolean): Response {
  if (wantsJson) return Response.json({ error: { code: status === 404 ? "not_found" : status === 410 ? "gone" : "error", message } }, { status, headers: NO_STORE });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Download unavailable</title></head><body><main><h1>Download unavailable</h1><p>${esc(message)}</p></main></body></html>`;
  return new Response(html, { status, headers: { ...NO_STORE, "Content-Type": "text/html; charset=utf-8" } });
}

// GET /api/exports/download/[token] - the subject's one-time download of their package
export async function GET(_req: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const h = await headers();
  const result = await downloadPackage(token, { ip: clientAddress(h, env().CUSTODIAN_TRUST_PROXY), userAgent: userAgentOf(h) });
  if (!result.ok) return refusal(result.status, result.message, (h.get("accept") ?? "").includes("application/json"));
  return new Response(new Uint8Array(result.zip), {
    status: 200,
    headers: {
      ...NO_STORE,
      "Content-Type": "application/zip",
      "Content-Length": String(result.zip.length),
      "Content-Disposition": `attachment; filename="${result.fileName}"`,
      "Digest": `sha-256=${Buffer.from(result.sha256, "hex").toString("base64")}`,
    },
  });
}
