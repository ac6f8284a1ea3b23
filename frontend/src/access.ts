/**
 * Roles and permissions as the dashboard sees them — pure, no I/O. Mirrors api/src/auth/roles.ts:
 * roles are ordered, each includes the permissions of the ones below, granted per site or on every
 * site ('*'). The server decides; this only hides what the person may not do anyway.
 */
import { STRINGS, type Lang } from './i18n';

export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'operate', 'ingest', 'configure', 'administer'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ALL_SITES = '*';

export interface RoleGrant {
  siteId: string;
  role: Role;
}

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  engineer: ['read', 'operate', 'ingest', 'configure'],
  admin: ['read', 'operate', 'ingest', 'configure', 'administer'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** The strongest role that applies on the site: its own grant or the all-sites grant. */
export function roleOnSite(roles: readonly RoleGrant[], siteId: string): Role | undefined {
  let best: Role | undefined;
  for (const g of roles) {
    if (g.siteId !== siteId && g.siteId !== ALL_SITES) continue;
    if (best === undefined || rank(g.role) > rank(best)) best = g.role;
  }
  return best;
}

/** Whether the roles allow the permission on the site ('*' asks: on every site). */
export function can(roles: readonly RoleGrant[], permission: Permission, siteId: string): boolean {
  const role = roleOnSite(roles, siteId);
  return role !== undefined && ROLE_PERMISSIONS[role].includes(permission);
}

/** e.g. "admin on all sites, operator on musterwerk"; all-sites grant first, then by site id. */
export function describeRoles(roles: readonly RoleGrant[], lang: Lang): string {
  const t = STRINGS[lang];
  if (roles.length === 0) return t.noRoles;
  const sorted = [...roles].sort((a, b) => {
    if (a.siteId === ALL_SITES) return b.siteId === ALL_SITES ? rank(b.role) - rank(a.role) : -1;
    if (b.siteId === ALL_SITES) return 1;
    return a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : rank(b.role) - rank(a.role);
  });
  return sorted
    .map((g) => (g.siteId === ALL_SITES ? t.roleOnAllSites(t.roleNames[g.role]) : t.roleOnSite(t.roleNames[g.role], g.siteId)))
    .join(', ');
}
