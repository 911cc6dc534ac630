import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { signInWithCredentials } from "@/lib/auth/sign-in";
import { signOutSession } from "@/lib/auth/session";

// next-auth 4 configuration: one Credentials provider (e-mail, password, TOTP or recovery code),
// JWT sessions whose only job is to carry the StaffSession id ("sid"). Everything that decides
// access reads the StaffSession and Staff rows fresh (lib/auth/guard.ts). Built lazily so that
// importing this module (e.g. during `next build`) does not require the environment.

type SessionCarrier = { sid?: string };

function buildAuthOptions(): NextAuthOptions {
  const e = env();
  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: e.CUSTODIAN_SESSION_MAX_HOURS * 3600 },
    jwt: { maxAge: e.CUSTODIAN_SESSION_MAX_HOURS * 3600 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Staff sign-in",
        credentials: {
          email: { label: "E-mail", type: "email" },
          password: { label: "Password", type: "password" },
          code: { label: "Authentication code", type: "text" },
        },
        async authorize(credentials, req) {
          const headers = (req?.headers ?? {}) as Record<string, string>;
          const result = await signInWithCredentials(
            { email: credentials?.email ?? "", password: credentials?.password ?? "", code: credentials?.code ?? "" },
            { ip: clientAddress(headers, env().CUSTODIAN_TRUST_PROXY), userAgent: userAgentOf(headers) },
          );
          // A thrown message reaches the form as signIn(...).error; it never says which part was wrong.
          if (!result.ok) throw new Error(result.message);
          return { id: result.staff.id, email: result.staff.email, name: result.staff.displayName, sid: result.sessionId };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) (token as SessionCarrier).sid = (user as SessionCarrier).sid;
        return token;
      },
      async session({ session, token }) {
        return { ...session, sid: (token as SessionCarrier).sid, user: { ...session.user, id: token.sub } };
      },
    },
    events: {
      // Covers POSTs to /api/auth/signout; the console's own sign-out action revokes first.
      async signOut({ token }) {
        const sid = (token as SessionCarrier | null)?.sid;
        if (sid) await signOutSession(sid, null);
      },
    },
  };
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}

export type ConsoleSession = { sid?: string; user?: { id?: string; email?: string | null; name?: string | null } };
