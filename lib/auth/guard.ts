// PLACEHOLDER written by the lead so other modules can compile; the auth work replaces the bodies.
import { forbidden, redirect } from "next/navigation";
import type { Permission, Role } from "@/lib/authz";
import type { Actor } from "@/lib/audit/types";

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

/**
 * Pages, layouts and server actions: returns the signed-in operator, redirects to /login when the
 * session is missing, idle, expired, revoked or the account is disabled, and calls forbidden()
 * (HTTP 403, app/forbidden.tsx) when the role lacks `permission`. Denials are access-logged.
 */
export async function requireOperator(permission?: Permission | "signed-in"): Promise<Operator> {
  void permission;
  void forbidden;
  redirect("/login");
}
