import type { Metadata } from "next";
import { EnrolStart } from "./enrol-start";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Complete enrolment" };

// GET /enrol#token=... - public: the one-time token is the credential. It travels in the URL
// fragment, which browsers never send, so it stays out of server and proxy logs; EnrolStart reads
// it in the browser, removes it from the address bar and posts it to openStaffEnrolment, which
// makes (on first open) and stores the pending TOTP secret server-side (lib/staff/enrolment.ts).
export default async function EnrolPage() {
  return (
    <main id="main" tabIndex={-1} className="auth-box">
      <h1>Complete enrolment</h1>
      <EnrolStart />
    </main>
  );
}
