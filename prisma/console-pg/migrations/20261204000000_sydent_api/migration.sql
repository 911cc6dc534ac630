-- Sydent HTTP endpoints of an identity server: the client API (verification through Sydent's own
-- lookups) and the internal API (unbinds and re-binds on Sydent's own connection).
ALTER TABLE "IdentityServer" ADD COLUMN "clientApiUrl" TEXT;
ALTER TABLE "IdentityServer" ADD COLUMN "internalApiUrl" TEXT;
