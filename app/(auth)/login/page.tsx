import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getOptionalOperator } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

const REASONS: Record<string, string> = {
  expired: "Your session reached its maximum length. Please sign in again.",
  idle: "You were signed out after a period without activity. Please sign in again.",
  disabled: "This account has been disabled. Ask an administrator if you think this is wrong.",
  "signed-out": "You have been signed out.",
};

/** Only same-site paths: a callbackUrl must never send a signed-in user elsewhere. */
function safeCallback(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return "/";
  try {
    const base = new URL(env().NEXTAUTH_URL);
    const u = new URL(v, base);
    return u.origin === base.origin && !u.pathname.startsWith("/login") ? `${u.pathname}${u.search}` : "/";
  } catch {
    return "/";
  }
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await getOptionalOperator()) redirect(callbackUrl);
  const reason = typeof params.reason === "string" ? REASONS[params.reason] : undefined;
  return (
    <main id="main" tabIndex={-1} className="auth-box">
      <h1>Custodian</h1>
      <div className="card">
        <h2>Staff sign-in</h2>
        {reason && (
          <p className={params.reason === "signed-out" ? "banner-ok" : "banner-warn"} role="status">
            {reason}
          </p>
        )}
        <LoginForm callbackUrl={callbackUrl} />
      </div>
      <p className="muted">New staff: use the enrolment link an administrator gave you.</p>
    </main>
  );
}
