import { defineCommand, printJson } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { setSydentAccount } from "@/lib/servers/sydent-account";

// server:sydent-account: the v2 account erasure verification asks Sydent's v2 lookup with.
// Registers one with an OpenID token from Custodian's homeserver account, or stores a given v2
// token; checked against the server first, stored encrypted, never printed.

export default defineCommand({
  name: "server:sydent-account",
  summary: "Set up the Sydent v2 account used to verify erasures through Sydent (admin; needs --code).",
  options: {
    server: { type: "string", description: "The server's label (its client API URL must be registered)." },
    "openid-token": { type: "string", description: "An OpenID token from the homeserver (/_matrix/client/v3/user/{id}/openid/request_token): Custodian registers a v2 account." },
    homeserver: { type: "string", description: "The homeserver's server name that issued --openid-token." },
    token: { type: "string", description: "Or: an existing Sydent v2 token to store instead of registering." },
    operator: { type: "string", description: "Admin's staff e-mail (required; named in the access log)." },
    ...codeOption,
  },
  async run({ values }) {
    const actor = await resolveVerifiedOperator(values.operator as string | undefined, values.code, "servers.manage", "server:sydent-account");
    const r = await setSydentAccount(actor, { label: values.server ?? "", openidToken: values["openid-token"], homeserver: values.homeserver, token: values.token });
    printJson(r);
    if (!r.ok) console.error(r.message);
    return r.ok ? 0 : 1;
  },
});
