import type { Metadata } from "next";
import QRCode from "qrcode";
import { generateTotpSecret, totpUri } from "@/lib/auth/totp";
import { findPendingEnrolment } from "@/lib/staff/enrolment";
import { EnrolForm } from "./enrol-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Complete enrolment" };

// GET /enrol?token=... - public: the one-time token is the credential. The TOTP secret made here
// is stored only when the form comes back with a valid code from it (lib/staff/enrolment.ts).
export default async function EnrolPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: raw } = await searchParams;
  const token = typeof raw === "string" ? raw : "";
  const pending = await findPendingEnrolment(token);
  if (!pending) {
    return (
      <main id="main" className="auth-box">
        <h1>Complete enrolment</h1>
        <p className="banner-error" role="alert">
          This enrolment link is invalid, expired or already used. Ask an administrator for a new one.
        </p>
      </main>
    );
  }
  const secret = generateTotpSecret();
  const qr = await QRCode.toDataURL(totpUri(secret, pending.email), { margin: 1, width: 220 });
  return (
    <main id="main" className="auth-box">
      <h1>Complete enrolment</h1>
      <p>
        Welcome, {pending.displayName} ({pending.email}). Choose a password and set up your authenticator app.
      </p>
      <EnrolForm token={token} secret={secret} qrDataUrl={qr} />
    </main>
  );
}
