import { withAuth } from "next-auth/middleware";

// Next 16 request interceptor: only sends anonymous visitors of console pages to /login (with a
// callbackUrl). It checks that a next-auth JWT exists, nothing more: every page, action and route
// handler still calls the guard (lib/auth/guard.ts), which checks the server-side session.
// API routes are left out: they answer 401/403 JSON themselves (requireApiOperator).

export default withAuth({ pages: { signIn: "/login" } });

export const config = {
  matcher: ["/((?!login|enrol|api/|_next/static|_next/image|favicon.ico).*)"],
};
