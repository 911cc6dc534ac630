import Link from "next/link";
import { NavLink } from "@/components/nav-link";
import { SidebarBody } from "@/components/sidebar";
import { requireOperator } from "@/lib/auth/guard";
import { ROLE_LABELS } from "@/lib/authz";
import { navFor } from "@/lib/navigation";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const op = await requireOperator("signed-in");
  const items = navFor(op.role);
  const hrefs = items.map((i) => i.href);
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <SidebarBody>
          <ul>
            {items.map((i) => (
              <li key={i.href}>
                <NavLink href={i.href} hrefs={hrefs}>{i.label}</NavLink>
              </li>
            ))}
          </ul>
          <div className="who">
            <div>{op.displayName}</div>
            <div>{ROLE_LABELS[op.role]}</div>
            <Link href="/account">Account and sign-out</Link>
          </div>
        </SidebarBody>
      </nav>
      <main id="main" tabIndex={-1} className="page">
        {children}
      </main>
    </div>
  );
}
