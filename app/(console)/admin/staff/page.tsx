import type { Metadata } from "next";
import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { ROLE_LABELS, isRole } from "@/lib/authz";
import { findStaff } from "@/lib/staff/queries";
import { StaffRowActions } from "./staff-row-actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Staff" };

const fmt = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "never");

export default async function StaffPage() {
  const op = await requireOperator("staff.manage");
  const staff = await findStaff();
  return (
    <>
      <h1>Staff</h1>
      <div className="toolbar">
        <Link className="btn btn-primary" href="/admin/staff/new">Add staff member</Link>
      </div>
      <table className="data">
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
      </table>
    </>
  );
}
