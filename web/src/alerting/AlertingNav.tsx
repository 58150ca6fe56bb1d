import { Link } from "../router";

const TABS = [
  { href: "/alerting/rules", label: "Rules" },
  { href: "/alerting/channels", label: "Channels" },
  { href: "/alerting/silences", label: "Silences" },
  { href: "/alerting/history", label: "History" },
] as const;

/** The alerting section's pages, as tabs under its heading. */
export function AlertingNav({ current }: { current: (typeof TABS)[number]["href"] }) {
  return (
    <nav aria-label="Alerting" class="subnav">
      <ul>
        {TABS.map((t) => (
          <li key={t.href}>
            <Link href={t.href} aria-current={t.href === current ? "page" : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
