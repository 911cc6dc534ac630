"use server";

import { requireFreshCode } from "@/lib/auth/step-up";
import { headers } from "next/headers";
import QRCode from "qrcode";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import { totpUri } from "@/lib/auth/totp";
import { changeRoleSchema, completeEnrolmentSchema, createStaffSchema, enrolTokenSchema, grantSeqSchema, staffIdSchema, type ActionState } from "@/lib/staff/schemas";
import { changeStaffRole, createStaff, disableStaff, enableStaff, reissueEnrolment, StaffRuleError } from "@/lib/staff/manage-staff";
import { cancelGrant, confirmGrant, GrantRuleError } from "@/lib/staff/grants";
import { completeEnrolment, openEnrolment } from "@/lib/staff/enrolment";

// Staff management (admin, "staff.manage") and enrolment (public: the one-time token is the
// credential). Order: guard, parse, change + access-log entry, revalidate. Granting the dpo or
// admin role needs a second admin (lib/staff/grants.ts): the first call only records a request.

type LinkState = ActionState<{ link?: string }>;
const NEEDS_SECOND_ADMIN = "A second administrator must confirm this on the Staff page; they will hand over the enrolment link.";

const fields = (fd: FormData, names: string[]): Record<string, string> =>
  Object.fromEntries(names.map((n) => { const v = fd.get(n); return [n, typeof v === "string" ? v : ""]; }));

function invalid(error: z.ZodError): ActionState<never> {
  return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(error).fieldErrors as ActionState["errors"] };
}

async function ruleErrors<T>(run: () => Promise<ActionState<T>>): Promise<ActionState<T>> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StaffRuleError || e instanceof GrantRuleError) return { ok: false, message: e.message };
    throw e;
  }
}

export async function addStaff(_prev: LinkState, formData: FormData): Promise<LinkState> {
  const op = await requireOperator("staff.manage");
  const values = fields(formData, ["email", "displayName", "role"]);
  const parsed = createStaffSchema.safeParse(values);
  if (!parsed.success) return { ...invalid(parsed.error), values };
  const result = await ruleErrors<{ link?: string }>(async () => {
    const created = await createStaff(actorOf(op), parsed.data);
    revalidatePath("/admin/staff");
    if (!created.link) return { ok: true, message: `Account created for ${created.staff.email}. ${NEEDS_SECOND_ADMIN}`, data: {} };
    return { ok: true, message: `Account created for ${created.staff.email}.`, data: { link: created.link } };
  });
  return result.ok ? result : { ...result, values };
}

export async function changeRole(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const op = await requireOperator("staff.manage");
  const parsed = changeRoleSchema.safeParse(fields(formData, ["staffId", "role"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    const r = await changeStaffRole(actorOf(op), parsed.data);
    revalidatePath("/admin/staff");
    return { ok: true, message: r.pendingGrant ? `Role change requested. ${NEEDS_SECOND_ADMIN}` : "Role changed." };
  });
}

export async function setStaffDisabled(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const op = await requireOperator("staff.manage");
  const parsed = staffIdSchema.extend({ disable: z.enum(["true", "false"]) }).safeParse(fields(formData, ["staffId", "disable"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    if (parsed.data.disable === "true") await disableStaff(actorOf(op), parsed.data.staffId);
    else await enableStaff(actorOf(op), parsed.data.staffId);
    revalidatePath("/admin/staff");
    return { ok: true, message: parsed.data.disable === "true" ? "Account disabled; its sessions were ended." : "Account enabled." };
  });
}

export async function reissueStaffEnrolment(_prev: LinkState, formData: FormData): Promise<LinkState> {
  const op = await requireOperator("staff.manage");
  const parsed = staffIdSchema.safeParse(fields(formData, ["staffId"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    const { link } = await reissueEnrolment(actorOf(op), parsed.data.staffId);
    revalidatePath("/admin/staff");
    if (!link) return { ok: true, message: `Re-issue requested. ${NEEDS_SECOND_ADMIN}` };
    return { ok: true, message: "New enrolment link (shown once):", data: { link } };
  });
}

export async function confirmStaffGrant(_prev: LinkState, formData: FormData): Promise<LinkState> {
  const op = await requireOperator("staff.manage");
  const parsed = grantSeqSchema.safeParse(fields(formData, ["seq"]));
  if (!parsed.success) return invalid(parsed.error);
  const code = await requireFreshCode(actorOf(op), formData.get("code"), "staff.grant.confirm", { seq: String(parsed.data.seq) });
  if (!code.ok) return { ok: false, message: code.message, errors: { code: [code.message] } };
  return ruleErrors(async () => {
    const { link } = await confirmGrant(actorOf(op), parsed.data.seq);
    revalidatePath("/admin/staff");
    return { ok: true, message: "Confirmed. Enrolment link (shown once, only to you; hand it over in person or over a trusted channel):", data: { link } };
  });
}

export async function cancelStaffGrant(_prev: LinkState, formData: FormData): Promise<LinkState> {
  const op = await requireOperator("staff.manage");
  const parsed = grantSeqSchema.safeParse(fields(formData, ["seq"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    await cancelGrant(actorOf(op), parsed.data.seq);
    revalidatePath("/admin/staff");
    return { ok: true, message: "Request cancelled." };
  });
}

export type OpenedEnrolmentView = { displayName: string; email: string; secret: string; qrDataUrl: string } | null;

/** Public: the enrolment page posts the token from its URL fragment (never sent in a URL). */
export async function openStaffEnrolment(token: string): Promise<OpenedEnrolmentView> {
  // Public: the enrolment token is the credential (checked in openEnrolment).
  const parsed = enrolTokenSchema.safeParse(token);
  if (!parsed.success) return null;
  const opened = await openEnrolment(parsed.data);
  if (!opened) return null;
  const qrDataUrl = await QRCode.toDataURL(totpUri(opened.secret, opened.email), { margin: 1, width: 220 });
  return { displayName: opened.displayName, email: opened.email, secret: opened.secret, qrDataUrl };
}

export async function completeStaffEnrolment(
  _prev: ActionState<{ recoveryCodes: string[] }>,
  formData: FormData,
): Promise<ActionState<{ recoveryCodes: string[] }>> {
  // Public: the enrolment token in the form is the credential (checked in completeEnrolment).
  const parsed = completeEnrolmentSchema.safeParse(fields(formData, ["token", "password", "confirmPassword", "code"]));
  if (!parsed.success) return invalid(parsed.error);
  const h = await headers();
  const result = await completeEnrolment(parsed.data, { ip: clientAddress(h, env().CUSTODIAN_TRUST_PROXY), userAgent: userAgentOf(h) });
  if (!result.ok) return { ok: false, message: result.message, errors: result.field ? { [result.field]: [result.message] } : undefined };
  return { ok: true, message: "Enrolment complete.", data: { recoveryCodes: result.recoveryCodes } };
}
