"use client";

import { ActionForm, FormField } from "@/components/action-form";
import { CodeField } from "@/components/code-field";
import { approveNoticeAction, proposeNoticeAction, rejectNoticeAction } from "@/lib/retention/actions";

// The privacy-notice forms (lib/retention/notices.ts checks every rule again on the server: a
// second administrator approves, with a fresh authenticator code; limits are whole days per class).

export function NoticeDecision({ noticeId, version, mayApprove, isProposer }: { noticeId: string; version: string; mayApprove: boolean; isProposer: boolean }) {
  return (
    <div className="toolbar">
      {mayApprove && (
        <ActionForm action={approveNoticeAction} hidden={{ noticeId }} submit={`Approve ${version}`}>
          {(s) => <CodeField invalid={s.ok === false ? true : undefined} />}
        </ActionForm>
      )}
      <ActionForm action={rejectNoticeAction} hidden={{ noticeId }} submit={isProposer ? `Withdraw ${version}` : `Reject ${version}`}>
        {(s) => (
          <FormField name="rejectReason" label={isProposer ? "Why it is withdrawn" : "Why it is rejected"} state={s}>
            {(a) => <input {...a} maxLength={500} />}
          </FormField>
        )}
      </ActionForm>
    </div>
  );
}

export function ProposeNoticeForm({ classes, current }: { classes: string[]; current: { version: string; limits: Record<string, number>; sections: Record<string, string> } | null }) {
  return (
    <section className="card" aria-labelledby="propose-notice">
      <h2 id="propose-notice">Record a new version of the notice</h2>
      <p className="muted">
        For each class, the longest period the new version promises. A retention policy may then use up to that many days once another
        administrator has approved the version and its effective date has come.
      </p>
      <ActionForm action={proposeNoticeAction} submit="Propose this version">
        {(s) => (
          <>
            <div className="toolbar">
              <FormField name="version" label="Version" hint="As the notice names itself, e.g. 1.2.0." state={s}>{(a) => <input {...a} maxLength={32} autoComplete="off" />}</FormField>
              <FormField name="effectiveFrom" label="Takes effect on (YYYY-MM-DD)" state={s}>{(a) => <input {...a} maxLength={10} autoComplete="off" />}</FormField>
            </div>
            <fieldset className="card">
              <legend>Limits per class</legend>
              {classes.map((c) => (
                <div className="toolbar" key={c}>
                  <FormField name={`limit.${c}`} label={`${c}: at most (days)`} hint={current ? `${current.version}: ${current.limits[c]} days` : undefined} state={s}>
                    {(a) => <input {...a} inputMode="numeric" maxLength={5} defaultValue={s.values?.[`limit.${c}`] ?? (current ? String(current.limits[c]) : "")} />}
                  </FormField>
                  <FormField name={`section.${c}`} label={`${c}: section`} state={s}>
                    {(a) => <input {...a} maxLength={20} defaultValue={s.values?.[`section.${c}`] ?? current?.sections[c] ?? ""} />}
                  </FormField>
                </div>
              ))}
            </fieldset>
            <FormField name="textSha256" label="SHA-256 of the notice's text (optional)" hint="64 hexadecimal characters, e.g. from sha256sum." state={s}>
              {(a) => <input {...a} className="mono" maxLength={64} autoComplete="off" spellCheck={false} />}
            </FormField>
            <FormField name="reason" label="What changed, and why" state={s}>{(a) => <textarea {...a} rows={2} maxLength={500} />}</FormField>
          </>
        )}
      </ActionForm>
    </section>
  );
}
