/**
 * Roles and permissions — pure. Roles are ordered: each includes the permissions of the ones below.
 *   viewer   read data
 *   operator + operate: acknowledge alerts, manual override, start/stop automation
 *   engineer + configure, ingest: devices, tariffs, rules, imports, documents
 *   admin    + administer: users, keys, settings
 * A role is granted per site, or on every site with the site id '*'.
 */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'operate', 'ingest', 'configure', 'administer'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ALL_SITES = '*';

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  engineer: ['read', 'operate', 'ingest', 'configure'],
  admin: ['read', 'operate', 'ingest', 'configure', 'administer'],
};

/** What an API key may be scoped to: machines read data or send data, nothing else. */
export const API_KEY_SCOPES = ['read', 'ingest'] as const satisfies readonly Permission[];
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Grants map site id (or '*') to role. The stronger of the site's own grant and the all-sites grant wins. */
export function roleOnSite(grants: ReadonlyMap<string, Role>, siteId: string): Role | undefined {
  const candidates = [grants.get(siteId), grants.get(ALL_SITES)].filter((r): r is Role => r !== undefined);
  return candidates.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
}

export function userMay(grants: ReadonlyMap<string, Role>, permission: Permission, siteId: string): boolean {
  const role = roleOnSite(grants, siteId);
  return role !== undefined && roleAllows(role, permission);
}
