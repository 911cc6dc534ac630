import type { Health } from "@/lib/servers/overview";

const CLASS: Record<Health, string> = { ok: "badge badge-ok", warn: "badge badge-warn", bad: "badge badge-bad", disabled: "badge" };
const TEXT: Record<Health, string> = { ok: "Healthy", warn: "Needs attention", bad: "Unreadable", disabled: "Disabled" };

export function HealthBadge({ health }: { health: Health }) {
  return <span className={CLASS[health]}>{TEXT[health]}</span>;
}
