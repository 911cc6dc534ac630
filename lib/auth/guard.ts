import { cache } from "react";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { can, isRole, type Permission, type Role } from "@/lib/authz";
import type { Actor } from "@/lib/audit/types";
import { recordAccess } from "@/lib/audit/log";
import { env } from "@/lib/env";
import { authOptions, type ConsoleSession } from "@/lib/auth/options";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { resolveStaffSession } from "@/lib/auth/session";
import { PASSIVE_REFRESH_COOKIE } from "@/lib/auth/passive";

// The one guard. Every page, layout, server action and route handler calls it first. It reads
// the JWT only for the StaffSession id, then loads session and staff fresh from the database
// (lib/auth/session.ts), so a revoked session or disabled account is refused on its next request.

export type Operator = {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  sessionId: string;
  ip: string | null;
  userAgent: string | null;
};

export function actorOf(op: Operator): Actor {
  return { id: op.id, label: op.email, role: op.role, ip: op.ip, userAgent: op.userAgent };
}

type Lookup = { operator: Operator } | { operator: null; reason: string };

/** Options of the guard. `activity: false` for polls (progress, auto-refresh): the session is
 * checked as usual but not kept alive, so an open tab that only polls still times out. */
export type GuardOptions = { activity?: boolean };

// One database read per request, however many components ask. A render started by an
// auto-refresh (usePassiveRefresh sets PASSIVE_REFRESH_COOKIE while it runs) is passive too.
const loadOperator = cache(async (activity: boolean): Promise<Lookup> => {
  const session = (await getServerSession(authOptions())) as ConsoleSession | null;
  const passive = !activity || (await cookies()).get(PASSIVE_REFRESH_COOKIE)?.value === "1";
  const result = await resolveStaffSession(session?.sid, new Date(), { activity: !passive });
  if (!result.ok) return { operator: null, reason: result.reason };
  const { staff, session: s } = result.active;
  if (!isRole(staff.role)) return { operator: null, reason: "disabled" };
  const h = await headers();
  return {
    operator: {
      id: staff.id,
      email: staff.email,
      displayName: staff.displayName,
      role: staff.role,
      sessionId: s.id,
      ip: clientAddress(h, env().CUSTODIAN_TRUST_PROXY),
      userAgent: userAgentOf(h),
    },
  };
});

function allows(op: Operator, permission?: Permission | "signed-in"): boolean {
  return !permission || permission === "signed-in" || can(op.role, permission);
}

async function logDenied(op: Operator, permission: Permission | "signed-in" | undefined): Promise<void> {
  await recordAccess({ actor: actorOf(op), action: "authz.denied", outcome: "denied", details: { permission } });
}

/**
 * Pages, layouts and server actions: returns the signed-in operator, redirects to /login when the
 * session is missing, idle, expired, revoked or the account is disabled, and calls forbidden()
 * (HTTP 403, app/forbidden.tsx) when the role lacks `permission`. Denials are access-logged.
 */
export const requireOperator = cache(async (permission?: Permission | "signed-in", opts?: GuardOptions): Promise<Operator> => {
  const found = await loadOperator(opts?.activity ?? true);
  if (!found.operator) redirect(found.reason === "none" ? "/login" : `/login?reason=${found.reason}`);
  if (!allows(found.operator, permission)) {
    await logDenied(found.operator, permission);
    forbidden();
  }
  return found.operator;
});

/** The operator when signed in with a valid session, else null (never redirects). */
export async function getOptionalOperator(): Promise<Operator | null> {
  return (await loadOperator(true)).operator;
}

/** Route handlers: the operator, or a 401/403 JSON response to return as is. */
export async function requireApiOperator(permission: Permission | "signed-in", opts?: GuardOptions): Promise<Operator | Response> {
  const found = await loadOperator(opts?.activity ?? true);
  if (!found.operator) {
    return Response.json({ error: { code: "unauthenticated", message: "Sign in first." } }, { status: 401 });
  }
  if (!allows(found.operator, permission)) {
    await logDenied(found.operator, permission);
    return Response.json({ error: { code: "forbidden", message: "Your role does not allow this." } }, { status: 403 });
  }
  return found.operator;
}
