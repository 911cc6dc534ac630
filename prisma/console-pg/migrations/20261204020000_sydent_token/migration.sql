-- The Sydent v2 account token Custodian verifies erasures with (v2 lookup), AES-256-GCM encrypted.
ALTER TABLE "IdentityServer" ADD COLUMN "sydentTokenEnc" TEXT;
