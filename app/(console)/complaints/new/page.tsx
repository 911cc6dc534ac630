import { requireOperator } from "@/lib/auth/guard";
import { ComplaintForm } from "./complaint-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Take in a complaint" };

export default async function NewComplaintPage() {
  await requireOperator("complaints.manage");
  return (
    <>
      <h1>Take in a complaint</h1>
      <p className="muted">The complainant&apos;s contact is stored encrypted and shown masked. Keep identifiers out of the summary: link the person instead.</p>
      <ComplaintForm />
    </>
  );
}
