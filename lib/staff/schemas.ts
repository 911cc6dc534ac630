import { z } from "zod";
import { ROLES } from "@/lib/authz";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password";

// Form schemas for staff management and enrolment; messages here are shown under the fields.

export const roleSchema = z.enum(ROLES, { message: "Choose a role." });

export const createStaffSchema = z.object({
  email: z.string().trim().toLowerCase().max(254, "At most 254 characters.").pipe(z.email("Enter a valid e-mail address.")),
  displayName: z.string().trim().min(1, "Enter a display name.").max(120, "At most 120 characters."),
  role: roleSchema,
});

export const staffIdSchema = z.object({ staffId: z.string().min(1).max(64) });

export const grantSeqSchema = z.object({ seq: z.coerce.number().int().positive() });

export const changeRoleSchema = staffIdSchema.extend({ role: roleSchema });

export const enrolTokenSchema = z.string().min(20).max(200);

export const completeEnrolmentSchema = z
  .object({
    token: enrolTokenSchema,
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters.`)
      .max(200, "At most 200 characters."),
    confirmPassword: z.string(),
    code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app."),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });

export const regenerateRecoveryCodesSchema = z.object({
  code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app."),
});

export type FieldErrors = Partial<Record<string, string[]>>;
export type ActionState<T = undefined> = {
  ok?: boolean;
  message?: string;
  errors?: FieldErrors;
  data?: T;
  /** Submitted non-secret values, so a form re-shows them after a validation error. */
  values?: Record<string, string>;
};
