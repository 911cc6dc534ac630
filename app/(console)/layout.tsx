import Link from "next/link";
import { NavLink } from "@/components/nav-link";
import { requireOperator } from "@/lib/auth/guard";
import { ROLE_LABELS } from "@/lib/authz";
import { navFor } from "@/lib/navigation";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const op = await requireOperator("signed-in");
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Custodian</div>
        <ul>
          {navFor(op.role).map((i) => (
            <li key={i.href}>
              <NavLink href={i.href}>{i.label}</NavLink>
            </li>
          ))}
        </ul>
        <div className="who">
          <div>{op.displayName}</div>
          <div>{ROLE_LABELS[op.role]}</div>
          <Link href="/account">Account and sign-out</Link>
        </div>
      </nav>
      <main id="main" tabIndex={-1} className="page">
        {children}
      </main>
    </div>
  );
}
