import Link from "next/link";

export default function RequestNotFound() {
  return (
    <>
      <h1>Request not found</h1>
      <p>There is no request with this id. <Link href="/requests">Back to the register</Link>.</p>
    </>
  );
}
