import Link from "next/link";

// Rendered with HTTP 403 inside the console shell, whose <main> already holds it (a second,
// nested <main> would be a duplicate landmark and a duplicate id="main"). app/forbidden.tsx is
// the stand-alone version.
export default function ConsoleForbidden() {
  return (
    <>
      <h1>Not allowed</h1>
      <p>Your role does not give access to this page. The attempt has been recorded in the access log.</p>
      <p><Link href="/">Back to the dashboard</Link></p>
    </>
  );
}
