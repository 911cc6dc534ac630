"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { signOutSession } from "@/lib/auth/session";
import { regenerateRecoveryCodesFor } from "@/lib/auth/account";
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
