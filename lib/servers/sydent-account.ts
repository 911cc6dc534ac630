import { z } from "zod";
import { recordAccess, withAccessLog } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { encryptSecret } from "@/lib/keys";
import { acceptAllTerms, callSydent, hashDetails, ok2xx, registerAccount, type SydentCall } from "@/lib/sydent/client-api";

// The v2 account Custodian uses to verify erasures through Sydent's v2 lookup (verify-sydent.ts).
// Either Custodian registers one (POST /v2/account/register with an OpenID token a homeserver
// issued for Custodian's own Matrix account, then accepts Sydent's terms if it has any), or an
// operator hands over an existing v2 token. Either way the token is checked against the server
// (GET /v2/account, /v2/hash_details) before it is stored AES-256-GCM encrypted; it is never shown
// or logged. Logged as "server.sydentAccount" (ok / invalid / error).

export const sydentAccountSchema = z.object({
  label: z.string().trim().min(1, "Name the server (--server <label>).").max(32),
  openidToken: z.string().trim().min(1).max(512).optional(),
  homeserver: z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+(:[0-9]{1,5})?$/, "Enter the homeserver's server name (e.g. matrix.example.org).").optional(),
  token: z.string().trim().regex(/^[A-Za-z0-9._~+/=-]{8,512}$/, "A v2 token is 8-512 URL-safe characters.").optional(),
}).refine((v) => (v.token ? !v.openidToken && !v.homeserver : !!v.openidToken && !!v.homeserver), {
  message: "Give either --token, or --openid-token with --homeserver.",
});

export type SydentAccountResult = { ok: true; message: string; userId: string | null; termsAccepted: number } | { ok: false; message: string };

const said = (what: string, c: SydentCall<unknown>) => `${what}: ${c.status === null ? c.error ?? "no answer" : `HTTP ${c.status}${c.errcode ? ` ${c.errcode}` : ""}`}`;

export async function setSydentAccount(actor: Actor, raw: unknown): Promise<SydentAccountResult> {
  const action = "server.sydentAccount";
  const parsed = sydentAccountSchema.safeParse(raw);
  if (!parsed.success) {
    await recordAccess({ actor, action, outcome: "invalid", details: { reason: "invalid_input" } });
    return { ok: false, message: parsed.error.issues.map((i) => i.message).join("; ") };
  }
  const input = parsed.data;
  const server = await db().identityServer.findUnique({ where: { label: input.label } });
  const target = server ? { type: "server" as const, ref: server.id } : undefined;
  const refuse = async (message: string, reason: string) => {
    await recordAccess({ actor, action, target, outcome: reason === "sydent" ? "error" : "invalid", details: { reason, label: input.label } });
    return { ok: false as const, message };
  };
  if (!server) return refuse(`No server with the label ${input.label}.`, "not_found");
  if (!server.clientApiUrl) return refuse(`${server.label} has no client API URL registered: register it first, then set up the v2 account.`, "no_client_api_url");
  const base = server.clientApiUrl;
  let token = input.token ?? null;
  if (!token) {
    const reg = await registerAccount(base, input.openidToken!, input.homeserver!);
    token = ok2xx(reg) ? reg.body?.token ?? reg.body?.access_token ?? null : null;
    if (!token) return refuse(`Sydent did not register the account (${said("account/register", reg)}). Check the OpenID token and that Sydent can reach ${input.homeserver}.`, "sydent");
  }
  const terms = await acceptAllTerms(base, token);
  if (!ok2xx(terms)) return refuse(`Sydent's terms could not be accepted (${said("terms", terms)}).`, "sydent");
  const account = await callSydent<{ user_id?: string }>(base, "_matrix/identity/v2/account", { token });
  if (!ok2xx(account)) return refuse(`Sydent refused the token (${said("account", account)}).`, "sydent");
  const hd = await hashDetails(base, token);
  if (!ok2xx(hd) || !hd.body?.lookup_pepper) return refuse(`The token cannot read the lookup pepper (${said("hash_details", hd)}).`, "sydent");
  const termsAccepted = terms.accepted;
  const userId = account.body?.user_id ?? null;
  await withAccessLog(
    { actor, action, target, outcome: "ok", details: { label: server.label, registered: !input.token, termsAccepted } },
    (tx) => tx.identityServer.update({ where: { id: server.id }, data: { sydentTokenEnc: encryptSecret(token!, "sydent-token-v1") } }),
  );
  return { ok: true, message: `${server.label}: v2 account ${userId ?? "(unnamed)"} ready for verification through Sydent.`, userId, termsAccepted };
}
