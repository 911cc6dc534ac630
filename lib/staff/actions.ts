"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { clientAddress, userAgentOf } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import { changeRoleSchema, completeEnrolmentSchema, createStaffSchema, staffIdSchema, type ActionState } from "@/lib/staff/schemas";
import { changeStaffRole, createStaff, disableStaff, enableStaff, reissueEnrolment, StaffRuleError } from "@/lib/staff/manage-staff";
import { completeEnrolment } from "@/lib/staff/enrolment";

// Staff management (admin, "staff.manage") and enrolment completion (public: the one-time
// token is the credential). Order: guard, parse, change + access-log entry, revalidate.

const fields = (fd: FormData, names: string[]): Record<string, string> =>
  Object.fromEntries(names.map((n) => { const v = fd.get(n); return [n, typeof v === "string" ? v : ""]; }));

function invalid(error: z.ZodError): ActionState<never> {
  return { ok: false, message: "Check the highlighted fields.", errors: z.flattenError(error).fieldErrors as ActionState["errors"] };
}

async function ruleErrors<T>(run: () => Promise<ActionState<T>>): Promise<ActionState<T>> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StaffRuleError) return { ok: false, message: e.message };
    throw e;
  }
}

export async function addStaff(_prev: ActionState<{ link: string }>, formData: FormData): Promise<ActionState<{ link: string }>> {
  const op = await requireOperator("staff.manage");
  const values = fields(formData, ["email", "displayName", "role"]);
  const parsed = createStaffSchema.safeParse(values);
  if (!parsed.success) return { ...invalid(parsed.error), values };
  const result = await ruleErrors(async () => {
    const created = await createStaff(actorOf(op), parsed.data);
    revalidatePath("/admin/staff");
    return { ok: true, message: `Account created for ${created.staff.email}.`, data: { link: created.link } };
  });
  return result.ok ? result : { ...result, values };
}

export async function changeRole(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const op = await requireOperator("staff.manage");
  const parsed = changeRoleSchema.safeParse(fields(formData, ["staffId", "role"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    await changeStaffRole(actorOf(op), parsed.data);
    revalidatePath("/admin/staff");
    return { ok: true, message: "Role changed." };
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

export async function reissueStaffEnrolment(_prev: ActionState<{ link: string }>, formData: FormData): Promise<ActionState<{ link: string }>> {
  const op = await requireOperator("staff.manage");
  const parsed = staffIdSchema.safeParse(fields(formData, ["staffId"]));
  if (!parsed.success) return invalid(parsed.error);
  return ruleErrors(async () => {
    const { link } = await reissueEnrolment(actorOf(op), parsed.data.staffId);
    revalidatePath("/admin/staff");
    return { ok: true, message: "New enrolment link (shown once):", data: { link } };
  });
}

export async function completeStaffEnrolment(
  _prev: ActionState<{ recoveryCodes: string[] }>,
  formData: FormData,
): Promise<ActionState<{ recoveryCodes: string[] }>> {
  // Public: the enrolment token in the form is the credential (checked in completeEnrolment).
  const parsed = completeEnrolmentSchema.safeParse(fields(formData, ["token", "secret", "password", "confirmPassword", "code"]));
  if (!parsed.success) return invalid(parsed.error);
  const h = await headers();
  const result = await completeEnrolment(parsed.data, { ip: clientAddress(h, env().CUSTODIAN_TRUST_PROXY), userAgent: userAgentOf(h) });
  if (!result.ok) return { ok: false, message: result.message, errors: result.field ? { [result.field]: [result.message] } : undefined };
  return { ok: true, message: "Enrolment complete.", data: { recoveryCodes: result.recoveryCodes } };
}
