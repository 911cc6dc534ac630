"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { signOutSession } from "@/lib/auth/session";
import { regenerateRecoveryCodesFor } from "@/lib/auth/account";
import { changeOwnPassword, endOwnSessions } from "@/lib/auth/own-account";
import { revalidatePath } from "next/cache";
import { regenerateRecoveryCodesSchema, type ActionState } from "@/lib/staff/schemas";
import { z } from "zod";

// The signed-in staff member's own account: sign-out and new recovery codes.

/** Revokes the StaffSession (so the JWT is useless even if kept), clears the cookie, logs "auth.signout". */
export async function signOut(): Promise<void> {
  const op = await requireOperator("signed-in");
  await signOutSession(op.sessionId, actorOf(op));
  const jar = await cookies();
  for (const c of jar.getAll()) {
    if (/next-auth\.session-token/.test(c.name)) {
      jar.set(c.name, "", { path: "/", maxAge: 0, httpOnly: true, sameSite: "lax", secure: c.name.startsWith("__Secure-") });
    }
  }
  redirect("/login?reason=signed-out");
}

export async function regenerateRecoveryCodes(
  _prev: ActionState<{ recoveryCodes: string[] }>,
  formData: FormData,
): Promise<ActionState<{ recoveryCodes: string[] }>> {
  const op = await requireOperator("signed-in");
  const parsed = regenerateRecoveryCodesSchema.safeParse({ code: formData.get("code") ?? "" });
  if (!parsed.success) return { ok: false, errors: z.flattenError(parsed.error).fieldErrors };
  const result = await regenerateRecoveryCodesFor(op.id, actorOf(op), parsed.data.code);
  if (!result.ok) return { ok: false, errors: { code: [result.message] } };
  return { ok: true, message: "New recovery codes (shown once; the old ones no longer work):", data: { recoveryCodes: result.recoveryCodes } };
}

export type OwnState = { ok?: boolean; message?: string; errors?: Record<string, string[] | undefined> };

/** Change one's own password: current password + a fresh authenticator code; other sessions end. */
export async function changeOwnPasswordAction(_prev: OwnState, formData: FormData): Promise<OwnState> {
  const op = await requireOperator("signed-in");
  const input = Object.fromEntries(["current", "password", "confirmPassword", "code"].map((k) => [k, String(formData.get(k) ?? "")]));
  return changeOwnPassword({ ...actorOf(op), id: op.id }, op.sessionId, input);
}

/** End one of one's own sessions (by its handle) or all the others ("others"). */
export async function endOwnSessionAction(_prev: OwnState, formData: FormData): Promise<OwnState> {
  const op = await requireOperator("signed-in");
  const handle = String(formData.get("session") ?? "");
  const r = await endOwnSessions({ ...actorOf(op), id: op.id }, op.sessionId, handle === "others" ? "others" : { handle: handle.slice(0, 64) });
  revalidatePath("/account");
  return r;
}
