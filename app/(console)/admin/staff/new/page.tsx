import type { Metadata } from "next";
import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { NewStaffForm } from "./new-staff-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Add staff member" };

export default async function NewStaffPage() {
  await requireOperator("staff.manage");
  return (
    <>
      <p><Link href="/admin/staff">← Staff</Link></p>
      <h1>Add staff member</h1>
      <p className="muted">
        The account starts without a password. You get a one-time enrolment link (valid 72 hours) to hand to the
        new staff member; they choose a password and set up an authenticator app with it.
      </p>
      <NewStaffForm />
    </>
  );
}
