import Link from "next/link";

// Rendered with HTTP 403 when requireOperator() calls forbidden() (lib/auth/guard.ts).
export default function Forbidden() {
  return (
    <main id="main" tabIndex={-1} className="page">
      <h1>Not allowed</h1>
      <p>Your role does not give access to this page. The attempt has been recorded in the access log.</p>
      <p><Link href="/">Back to the dashboard</Link></p>
    </main>
  );
}
