-- A TOTP code must not work twice: remember the last time-step used per staff member.
ALTER TABLE "Staff" ADD COLUMN "totpLastStep" INTEGER;
