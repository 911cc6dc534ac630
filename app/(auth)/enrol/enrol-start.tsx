"use client";

import { useEffect, useRef, useState } from "react";
import { openStaffEnrolment, type OpenedEnrolmentView } from "@/lib/staff/actions";
import { EnrolForm } from "./enrol-form";

// Reads the token from the fragment (#token=…; older links had ?token=…), removes it from the
// address bar and history, and asks the server for the enrolment (name, QR code, the server-made
// secret). The token then only travels in POST bodies.

function tokenFromLocation(): string {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const fromQuery = new URLSearchParams(window.location.search).get("token");
  return fromHash ?? fromQuery ?? "";
}

type State = { phase: "loading" } | { phase: "invalid" } | { phase: "ready"; token: string; view: NonNullable<OpenedEnrolmentView> };

export function EnrolStart() {
  const [state, setState] = useState<State>({ phase: "loading" });
  const read = useRef<string | null>(null); // read once (effects may run twice in development)
  useEffect(() => {
    if (read.current === null) {
      read.current = tokenFromLocation();
      window.history.replaceState(null, "", "/enrol");
    }
    const token = read.current;
    if (!token) {
      setState({ phase: "invalid" });
      return;
    }
    openStaffEnrolment(token).then(
      (view) => setState(view ? { phase: "ready", token, view } : { phase: "invalid" }),
      () => setState({ phase: "invalid" }),
    );
  }, []);
  if (state.phase === "loading") return <p role="status">Checking your enrolment link…</p>;
  if (state.phase === "invalid") {
    return (
      <p className="banner-error" role="alert">
        This enrolment link is invalid, expired or already used. Ask an administrator for a new one.
      </p>
    );
  }
  const { view } = state;
  return (
    <>
      <p>
        Welcome, {view.displayName} ({view.email}). Choose a password and set up your authenticator app.
      </p>
      <EnrolForm token={state.token} secret={view.secret} qrDataUrl={view.qrDataUrl} />
    </>
  );
}
