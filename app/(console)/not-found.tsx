import Link from "next/link";

// notFound() from a console page: rendered inside the shell's <main> (see forbidden.tsx here).
// app/not-found.tsx, with its own <main>, stays for addresses that match no page at all.
export default function ConsoleNotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is nothing at this address.</p>
      <p><Link href="/">Back to the dashboard</Link></p>
    </>
  );
}
