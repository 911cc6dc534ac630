import Link from "next/link";
import { requireOperator } from "@/lib/auth/guard";
import { formatCalendarDate, startOfUtcDay } from "@/lib/requests/due-date";
import { RequestForm } from "./request-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "New request" };

export default async function NewRequestPage() {
  await requireOperator("requests.create");
  const today = formatCalendarDate(startOfUtcDay(new Date()));
  return (
    <>
      <p><Link href="/requests">← Request register</Link></p>
      <h1>Take in a request</h1>
      <p className="muted">
        Record a data-protection request or complaint the day it arrives. The one-month clock of GDPR Art. 12(3) starts on the
        received date, whatever channel it came through and whether or not the requester is identified yet.
      </p>
      <RequestForm today={today} />
    </>
  );
}
