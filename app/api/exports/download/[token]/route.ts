import { headers } from "next/headers";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import { checkDownloadLink, downloadPackage } from "@/lib/exports/download";
import { esc } from "@/lib/exports/guide-html";

export const dynamic = "force-dynamic";

// Public on purpose (ROUTE_RULES "public"): the single-use token in the link is the credential.
// GET only shows a small page with a download button: mail link scanners and previews that fetch
// the link must not use it up, and a GET must not change state. The button POSTs to the same
// address; lib/exports/download.ts then checks the token, marks the package downloaded atomically,
// logs the download and deletes the stored file. Neither page holds personal data. Refusals are
// the same small page (or JSON when asked for): 404 for an unknown link, 410 for a used, expired
// or withdrawn one.

const NO_STORE = {
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Robots-Tag": "noindex, nofollow",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.6rem 1.2rem;cursor:pointer}button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { ...NO_STORE, "Content-Type": "text/html; charset=utf-8" } });
}

function refusal(status: number, message: string, wantsJson: boolean): Response {
  if (wantsJson) return Response.json({ error: { code: status === 404 ? "not_found" : status === 410 ? "gone" : "error", message } }, { status, headers: NO_STORE });
  return page(status, "Download unavailable", `<p>${esc(message)}</p>`);
}

const wantsJson = (h: Headers) => (h.get("accept") ?? "").includes("application/json");

// GET /api/exports/download/[token] - landing page with a download button (does not use the link)
export async function GET(_req: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const h = await headers();
  const link = await checkDownloadLink(token);
  if (!link.ok) return refusal(link.status, link.message, wantsJson(h));
  const until = `${link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  // No action attribute: the form posts back to this same address.
  return page(200, "Your data package", `<p>Your copy of the data we hold about you is ready as a zip file.</p>
<p><strong>This link works once.</strong> After the download starts it cannot be used again, so save the file somewhere safe. It can be used until ${esc(until)}.</p>
<form method="post"><button type="submit">Download the package</button></form>`);
}

// POST /api/exports/download/[token] - the subject's one-time download of their package
export async function POST(_req: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const h = await headers();
  const result = await downloadPackage(token, { ip: clientAddress(h, env().CUSTODIAN_TRUST_PROXY), userAgent: userAgentOf(h) });
  if (!result.ok) return refusal(result.status, result.message, wantsJson(h));
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
