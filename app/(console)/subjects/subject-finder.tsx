"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { FieldError } from "@/app/(auth)/_components/field-error";
import type { CountryOption } from "@/lib/subjects/countries";
import type { FindProgress } from "@/lib/subjects/find";
import type { SearchKind, SubjectState } from "@/lib/subjects/reveal";
import { SubjectWorkspace, type WorkspaceProps } from "./subject-workspace";

// The search form. It POSTs to /api/subjects/search (the identifier stays in the body, never the
// URL) and reads NDJSON progress lines while the identity databases and log files are searched.
// Progress and the outcome are announced through aria-live regions.

const KINDS: { value: SearchKind; label: string; hint: string }[] = [
  { value: "email", label: "E-mail address", hint: "Any spelling: it is case-folded the way Sydent stores it." },
  { value: "phone", label: "Phone number", hint: "As people type it: with + or 00 and the country code (+46 70 174 06 05), or in national form (070-174 06 05) with its country chosen below." },
  { value: "mxid", label: "Matrix ID (DPO only)", hint: "A reverse lookup, e.g. @name:example.org. Only a data protection officer may search by Matrix ID." },
  { value: "hash", label: "Lookup hash", hint: "The 43-character hash from a v2 lookup (unpadded url-safe base64)." },
];

type Props = Omit<WorkspaceProps, "searched" | "masked"> & { countries: CountryOption[]; defaultCountry: string };

function describeProgress(p: FindProgress | null, seconds: number): string {
  if (!p || p.phase === "databases") return `Searching the identity databases${p?.server ? ` (${p.server}: ${p.step})` : ""}… (${seconds} s)`;
  if (p.phase === "logs") {
    const mb = (p.bytesRead / 1_048_576).toFixed(1);
    return `Scanning log files: ${p.filesDone} of ${p.filesTotal} done, ${p.linesScanned.toLocaleString("en-GB")} lines (${mb} MB) read… (${seconds} s)`;
  }
  return "Preparing the results…";
}

export function SubjectFinder(props: Props) {
  const [kind, setKind] = useState<SearchKind>("email");
  const [country, setCountry] = useState(props.defaultCountry);
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, setPending] = useState(false);
  const [progress, setProgress] = useState<FindProgress | null>(null);
  const [seconds, setSeconds] = useState(0);
  const [state, setState] = useState<SubjectState>({});
  const [searched, setSearched] = useState<{ kind: SearchKind; value: string; country?: string; n: number } | null>(null);
  const started = useRef(0);

  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => setSeconds(Math.round((Date.now() - started.current) / 1000)), 1000);
    return () => clearInterval(t);
  }, [pending]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    await search(new FormData(e.currentTarget));
  }

  /** "Try Sweden": the same number again, read in another country. */
  async function retryIn(code: string) {
    setCountry(code);
    if (!formRef.current) return;
    const form = new FormData(formRef.current);
    form.set("country", code);
    await search(form);
  }

  async function search(form: FormData) {
    const value = String(form.get("value") ?? "");
    const searchedKind = String(form.get("kind") ?? "email") as SearchKind;
    started.current = Date.now();
    setSeconds(0);
    setPending(true);
    setProgress(null);
    setState({});
    setSearched(null);
    try {
      const res = await fetch("/api/subjects/search", { method: "POST", body: form });
      if (res.status === 401) return setState({ ok: false, message: "Your session has ended: sign in again." });
      if (!res.ok || !res.body) return setState({ ok: false, message: "The search was refused or failed." });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines.filter(Boolean)) {
          const msg = JSON.parse(line) as { type: "progress" } & FindProgress | { type: "result"; state: SubjectState };
          if (msg.type === "progress") setProgress(msg);
          else {
            setState(msg.state);
            if (msg.state.ok) setSearched({ kind: searchedKind, value, country: searchedKind === "phone" ? String(form.get("country") ?? "") : undefined, n: started.current });
          }
        }
      }
    } catch {
      setState({ ok: false, message: "The search could not be completed. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  const hint = KINDS.find((k) => k.value === kind)?.hint;
  const errors = state.errors ?? {};
  return (
    <>
      <form ref={formRef} className="card" method="post" action="/api/subjects/search" onSubmit={onSubmit} aria-labelledby="search-heading" noValidate>
        <h2 id="search-heading">Search</h2>
        <div className="toolbar">
          <div className="field">
            <label htmlFor="search-kind">Search by</label>
            <select id="search-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as SearchKind)}
              aria-describedby="search-kind-error" aria-invalid={errors.kind ? true : undefined}>
              {KINDS.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
            </select>
            <FieldError id="search-kind-error" messages={errors.kind} />
          </div>
          <div className="field">
            <label htmlFor="search-value">Identifier</label>
            <input id="search-value" name="value" type="text" autoComplete="off" spellCheck={false} required maxLength={400}
              aria-describedby="search-value-hint search-value-error" aria-invalid={errors.value ? true : undefined} />
            <div className="field-hint" id="search-value-hint">{hint}</div>
            <FieldError id="search-value-error" messages={errors.value} />
          </div>
          {kind === "phone" && (
            <div className="field">
              <label htmlFor="search-country">Country for national numbers</label>
              <select id="search-country" name="country" value={country} onChange={(e) => setCountry(e.target.value)}
                aria-describedby="search-country-hint search-country-error" aria-invalid={errors.country ? true : undefined}>
                {props.countries.map((c) => <option key={c.code} value={c.code}>{c.name} (+{c.callingCode})</option>)}
              </select>
              <div className="field-hint" id="search-country-hint">
                Default {props.countries.find((c) => c.code === props.defaultCountry)?.name ?? props.defaultCountry} (CUSTODIAN_DEFAULT_COUNTRY). Ignored for numbers typed with + or 00.
              </div>
              <FieldError id="search-country-error" messages={errors.country} />
            </div>
          )}
          <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Searching…" : "Search"}</button>
        </div>
        <div role="status" aria-live="polite" className="muted">
          {pending ? describeProgress(progress, seconds) : state.ok && state.view
            ? (state.view.foundAnywhere ? `Search complete: found on ${state.view.totals.serversWithData} of ${state.view.totals.servers} servers, ${state.view.totals.logMatches} log line(s).` : "Search complete: not found anywhere.")
            : ""}
        </div>
        {!pending && state.ok === false && state.message && <div className="banner-error" role="alert">{state.message}</div>}
        {!pending && state.ok && state.countryHint && (
          <div className="banner-warn" role="note" aria-labelledby="country-hint-heading">
            <p id="country-hint-heading">
              Not found as a number of <strong>{state.countryHint.assumed.name}</strong> (+{state.countryHint.assumed.callingCode}), the country assumed.
              {state.countryHint.alternatives.length === 0 && " No other country whose numbers the servers hold reads it as a number."}
            </p>
            {state.countryHint.alternatives.length > 0 && (
              <>
                <p>The same digits are a number in these countries, whose numbers the servers hold:</p>
                <ul>
                  {state.countryHint.alternatives.map((a) => (
                    <li key={a.code}>
                      <button type="button" className="btn" onClick={() => retryIn(a.code)}>Search as {a.name} (+{a.callingCode})</button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </form>
      {searched && state.view && (
        <SubjectWorkspace key={searched.n} {...props} searched={{ kind: searched.kind, value: searched.value }} masked={state.view} />
      )}
    </>
  );
}
