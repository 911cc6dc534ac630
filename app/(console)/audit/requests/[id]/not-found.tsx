import Link from "next/link";

export default function TrailNotFound() {
  return (
    <>
      <h1>Request not found</h1>
      <p>There is no request with this id. <Link href="/audit">Back to the audit workspace</Link>.</p>
    </>
  );
}
