"use client";

import { ActionForm, FormField } from "@/components/action-form";
import { approveDisclosureAction, cancelDisclosureAction, recordDisclosureAction } from "@/lib/rights/actions";
import { LEGAL_BASES, LEGAL_BASIS_LABELS, NOTIFICATION_LABELS, NOTIFICATIONS } from "@/lib/rights/catalogue";

export function DisclosureActions({ id, reference, mayApprove, mayCancel }: { id: string; reference: string; mayApprove: boolean; mayCancel: boolean }) {
  return (
    <>
      {mayApprove && <ActionForm action={approveDisclosureAction} hidden={{ id }} submit={`Approve ${reference}`} />}
      {mayCancel && <ActionForm action={cancelDisclosureAction} hidden={{ id }} submit={`Withdraw ${reference}`} />}
    </>
  );
}

export function RecordDisclosureForm({ today }: { today: string }) {
  return (
    <section className="card" aria-labelledby="record-disclosure">
      <h2 id="record-disclosure">Record a disclosure</h2>
      <ActionForm action={recordDisclosureAction} submit="Record disclosure">
        {(s) => (
          <>
            <FormField name="recipient" label="Recipient" hint="The organisation that received the data." state={s}>{(a) => <input {...a} maxLength={300} />}</FormField>
            <FormField name="legalBasis" label="Legal basis" state={s}>
              {(a) => (<select {...a} defaultValue={s.values?.legalBasis ?? ""}><option value="" disabled>Choose…</option>{LEGAL_BASES.map((b) => <option key={b} value={b}>{LEGAL_BASIS_LABELS[b]}</option>)}</select>)}
            </FormField>
            <FormField name="whatShared" label="What was shared" hint="Categories and period; no identifiers." state={s}>{(a) => <textarea {...a} rows={3} maxLength={2000} />}</FormField>
            <FormField name="orderReference" label="Order or case reference" state={s}>{(a) => <input {...a} maxLength={300} />}</FormField>
            <FormField name="subjectKind" label="Person identified by" state={s}>
              {(a) => (<select {...a} defaultValue={s.values?.subjectKind ?? "email"}><option value="email">E-mail address</option><option value="phone">Phone number</option><option value="mxid">Matrix ID</option></select>)}
            </FormField>
            <FormField name="subjectValue" label="Identifier" hint="Stored encrypted; shown masked." state={s}>{(a) => <input {...a} maxLength={400} autoComplete="off" />}</FormField>
            <FormField name="disclosedOn" label="Date shared (YYYY-MM-DD)" state={s}>{(a) => <input {...a} defaultValue={s.values?.disclosedOn ?? today} maxLength={10} />}</FormField>
            <FormField name="notification" label="Was the person told?" state={s}>
              {(a) => (<select {...a} defaultValue={s.values?.notification ?? "not_yet"}>{NOTIFICATIONS.map((n) => <option key={n} value={n}>{NOTIFICATION_LABELS[n]}</option>)}</select>)}
            </FormField>
            <FormField name="deferredUntil" label="Deferred until (YYYY-MM-DD, if deferred)" state={s}>{(a) => <input {...a} maxLength={10} />}</FormField>
            <FormField name="deferralReason" label="Why telling is deferred" state={s}>{(a) => <textarea {...a} rows={2} maxLength={1000} />}</FormField>
          </>
        )}
      </ActionForm>
    </section>
  );
}
