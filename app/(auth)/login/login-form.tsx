"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";

const GENERIC = "Incorrect e-mail, password or authentication code.";

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    setError(null);
    startTransition(async () => {
      const res = await signIn("credentials", {
        email: String(fd.get("email") ?? ""),
        password: String(fd.get("password") ?? ""),
        code: String(fd.get("code") ?? ""),
        redirect: false,
        callbackUrl,
      });
      // next-auth 4 reports failure in res.error (the server's message, or "CredentialsSignin").
      if (!res || res.error) {
        setError(res?.error && res.error !== "CredentialsSignin" ? res.error : GENERIC);
        return;
      }
      router.replace(callbackUrl);
      router.refresh();
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby="login-error">
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      <div className="field">
        <label htmlFor="code">Authentication code</label>
        <input id="code" name="code" type="text" autoComplete="one-time-code" required aria-describedby="code-hint" spellCheck={false} />
        <div id="code-hint" className="field-hint">
          The 6-digit code from your authenticator app, or one of your recovery codes.
        </div>
      </div>
      <div id="login-error" aria-live="polite">
        {error && <p className="banner-error" role="alert">{error}</p>}
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
