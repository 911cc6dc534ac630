import pg from "pg";

// PostgreSQL: two roles. The OWNER role (CONSOLE_DATABASE_URL of `db:migrate`) owns every table
// and runs the migrations; the running console connects as an APP role that is neither owner nor
// superuser, so it cannot drop the append-only triggers, and on the log tables it may only INSERT
// and SELECT (no UPDATE, DELETE or TRUNCATE). `db:migrate --app-role custodian_app` (re)applies
// the grants after the migrations, so tables added later are covered. AccessLogHead stays
// writable: it is only the writers' lock and pointer; verification never trusts it.

export const LOG_TABLES = ["AccessLogEntry", "AccessLogCheckpoint", "AccessLogTreeNode"] as const;

export class RoleError extends Error {}

export async function grantConsoleRole(client: pg.Client, role: string): Promise<{ role: string; logTables: string[] }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new RoleError(`not a plain role name: ${role}`);
  const r = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, [role]);
  if (!r.rows.length) throw new RoleError(`role ${role} does not exist (scripts/system-deps.sh or README: PostgreSQL roles)`);
  if (r.rows[0].rolsuper) throw new RoleError(`role ${role} is a superuser: it could drop the append-only triggers`);
  const owner = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`, [role]);
  if (Number(owner.rows[0].n) > 0) throw new RoleError(`role ${role} owns tables: migrations must run as another (owner) role`);
  const q = (s: string) => client.query(s);
  await q(`GRANT CONNECT ON DATABASE "${(await client.query<{ d: string }>("SELECT current_database() AS d")).rows[0].d}" TO ${role}`);
  await q(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await q(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
  await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await q(`REVOKE ALL ON "_prisma_migrations" FROM ${role}`);
  await q(`GRANT SELECT ON "_prisma_migrations" TO ${role}`);
  const logTables = LOG_TABLES.map((t) => `"${t}"`).join(", ");
  await q(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${logTables} FROM ${role}`);
  await q(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  return { role, logTables: [...LOG_TABLES] };
}

/** Creates a LOGIN role if missing (tests, scripts); tolerates a concurrent creator. */
export async function ensureLoginRole(client: pg.Client, role: string, password: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new RoleError(`not a plain role name: ${role}`);
  try {
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password.replace(/'/g, "''")}';
      END IF; END $$`);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== "42710" && code !== "23505") throw e;
  }
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
