import type { Metadata } from "next";
import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { ROLE_LABELS, isRole } from "@/lib/authz";
import { findStaff } from "@/lib/staff/queries";
import { pendingGrants, type PendingGrant } from "@/lib/staff/grants";
import { GrantActions } from "./grant-actions";
import { StaffRowActions } from "./staff-row-actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Staff" };

const GRANT_WHAT: Record<PendingGrant["kind"], string> = {
  create: "New account with the role",
  role: "Change of role to",
  reissue: "New enrolment link for the role",
};

const fmt = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

export default async function StaffPage() {
  const op = await requireOperator("staff.manage");
  const [staff, grants] = await Promise.all([findStaff(), pendingGrants()]);
  const emailOf = new Map(staff.map((s) => [s.id, s.email]));
  const awaiting = new Set(grants.map((g) => g.staffId));
  return (
    <>
      <h1>Staff</h1>
      <div className="toolbar">
        <Link className="btn btn-primary" href="/admin/staff/new">Add staff member</Link>
      </div>
      {grants.length > 0 && (
        <section aria-labelledby="grants-heading">
          <h2 id="grants-heading">Awaiting a second administrator</h2>
          <p className="muted">
            The DPO and admin roles are granted by two administrators: one asks, a different one confirms and receives
            the enrolment link (the account&apos;s credentials are set up anew). Requests lapse after 72 hours.
          </p>
          <div className="table-scroll"><table className="data">
            <caption className="sr-only">Pending role grants</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Request</th>
                <th scope="col">Asked by</th>
                <th scope="col">Asked at</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const what = `${GRANT_WHAT[g.kind]} ${ROLE_LABELS[g.role]}`;
                const email = emailOf.get(g.staffId) ?? g.staffId;
                return (
                  <tr key={g.seq}>
                    <td>{email}</td>
                    <td>{what}</td>
                    <td>{g.requestedBy}</td>
                    <td>{fmt(g.requestedAt)}</td>
                    <td>
                      <GrantActions seq={g.seq} label={`${what} for ${email}`} canConfirm={g.requestedById !== op.id && g.staffId !== op.id} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table></div>
        </section>
      )}
      <div className="table-scroll"><table className="data">
        <caption className="sr-only">Staff accounts</caption>
        <thead>
          <tr>
            <th scope="col">E-mail</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Enrolled</th>
            <th scope="col">Status</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {staff.map((s) => (
            <tr key={s.id}>
              <td>{s.email}</td>
              <td>{s.displayName}</td>
              <td>{isRole(s.role) ? ROLE_LABELS[s.role] : s.role}</td>
              <td>
                {s.isEnrolled ? (
                  <span className="badge badge-ok">yes</span>
                ) : awaiting.has(s.id) && !s.hasPendingEnrolment ? (
                  <span className="badge badge-warn">awaiting second admin</span>
                ) : (
                  <span className="badge badge-warn">{s.hasPendingEnrolment ? "link sent" : "link expired"}</span>
                )}
              </td>
              <td>{s.isDisabled ? <span className="badge badge-bad">disabled</span> : <span className="badge">active</span>}</td>
              <td>{fmt(s.lastSignInAt)}</td>
              <td>
                <StaffRowActions staff={{ id: s.id, email: s.email, role: s.role, isDisabled: s.isDisabled, isSelf: s.id === op.id }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table></div>
    </>
  );
}
