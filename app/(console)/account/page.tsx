import type { Metadata } from "next";
import { requireOperator } from "@/lib/auth/guard";
import { signOut } from "@/lib/auth/actions";
import { ROLE_LABELS } from "@/lib/authz";
import { getOwnAccount } from "@/lib/staff/queries";
import { env } from "@/lib/env";
import { RecoveryCodesForm } from "./recovery-codes-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Account" };

const fmt = (d: Date) => d.toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default async function AccountPage() {
  const op = await requireOperator("signed-in");
  const account = await getOwnAccount(op.id, op.sessionId);
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
