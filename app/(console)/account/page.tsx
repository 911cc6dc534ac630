import type { Metadata } from "next";
import { requireOperator } from "@/lib/auth/guard";
import { signOut } from "@/lib/auth/actions";
import { ROLE_LABELS } from "@/lib/authz";
import { getOwnAccount } from "@/lib/staff/queries";
import { env } from "@/lib/env";
import { RecoveryCodesForm } from "./recovery-codes-form";
import { listOwnSessions } from "@/lib/auth/own-account";
import { ChangePasswordForm, SessionsTable } from "./own-account-forms";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Account" };

const fmt = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default async function AccountPage() {
  const op = await requireOperator("signed-in");
  const [account, sessions] = await Promise.all([getOwnAccount(op.id, op.sessionId), listOwnSessions(op.id, op.sessionId)]);
  return (
    <>
      <h1>Account</h1>
      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Your details</h2>
        <dl className="props">
          <dt>Name</dt><dd>{op.displayName}</dd>
          <dt>E-mail</dt><dd>{op.email}</dd>
          <dt>Role</dt><dd>{ROLE_LABELS[op.role]}</dd>
          {account && (
            <>
              <dt>Signed in</dt><dd>{fmt(account.session.createdAt)}</dd>
              <dt>Session ends at the latest</dt><dd>{fmt(account.session.expiresAt)} (or after {env().CUSTODIAN_SESSION_IDLE_MINUTES} minutes without activity)</dd>
              <dt>Unused recovery codes</dt><dd>{account.unusedCodes}</dd>
            </>
          )}
        </dl>
        <form action={signOut}>
          <button type="submit" className="btn">Sign out</button>
        </form>
      </section>
      <section className="card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Your active sessions</h2>
        <p className="muted">Every browser signed in as you. End any you do not recognise, then change your password.</p>
        <SessionsTable sessions={sessions.map((s) => ({ handle: s.handle, current: s.current, createdAt: fmt(s.createdAt), lastSeenAt: fmt(s.lastSeenAt), ip: s.ip, userAgent: s.userAgent }))} />
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Change your password</h2>
        <p className="muted">Needs your current password and a fresh code from your authenticator app. Your other sessions end.</p>
        <ChangePasswordForm />
      </section>
      <section className="card" aria-labelledby="recovery-heading">
        <h2 id="recovery-heading">Recovery codes</h2>
        <p className="muted">
          Generating new codes invalidates all the old ones. Confirm with the current code from your authenticator app.
        </p>
        <RecoveryCodesForm />
      </section>
    </>
  );
}
