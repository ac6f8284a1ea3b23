/**
 * Which pages exist, who sees them, and how they map to the address bar (#/site/<id>/<page>) — pure.
 * The server decides every call; this only leaves out what the person may not use anyway.
 */
import { ALL_SITES, can, type RoleGrant } from '../access';

export const SITE_PAGES = ['overview', 'explorer', 'forecast', 'devices', 'alerts', 'imports'] as const;
export type SitePage = (typeof SITE_PAGES)[number];
export const GLOBAL_PAGES = ['knowledge', 'admin'] as const;
export type GlobalPage = (typeof GLOBAL_PAGES)[number];

export type Route = { kind: 'sites' } | { kind: 'site'; siteId: string; page: SitePage } | { kind: 'global'; page: GlobalPage };

const isSitePage = (v: string): v is SitePage => (SITE_PAGES as readonly string[]).includes(v);
const isGlobalPage = (v: string): v is GlobalPage => (GLOBAL_PAGES as readonly string[]).includes(v);

/** "#/site/demo/devices" → the route; anything unknown → the sites list. */
export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts[0] === 'site' && parts[1]) {
    const page = parts[2] ?? 'overview';
    return { kind: 'site', siteId: parts[1], page: isSitePage(page) ? page : 'overview' };
  }
  if (parts[0] && isGlobalPage(parts[0])) return { kind: 'global', page: parts[0] };
  return { kind: 'sites' };
}

export function formatHash(route: Route): string {
  switch (route.kind) {
    case 'sites':
      return '#/';
    case 'site':
      return `#/site/${encodeURIComponent(route.siteId)}/${route.page}`;
    case 'global':
      return `#/${route.page}`;
  }
}

/** The site pages a person with these roles is offered on the site. */
export function sitePagesFor(roles: readonly RoleGrant[], siteId: string): SitePage[] {
  if (!can(roles, 'read', siteId)) return [];
  return SITE_PAGES.filter((p) => (p === 'imports' ? can(roles, 'ingest', siteId) : true));
}

/** Knowledge is open to every signed-in user (asking); admin needs administer on all sites. */
export function globalPagesFor(roles: readonly RoleGrant[]): GlobalPage[] {
  return GLOBAL_PAGES.filter((p) => (p === 'admin' ? can(roles, 'administer', ALL_SITES) : true));
}

/** A route the person may open: an unknown or forbidden page falls back to the site's overview or the sites list. */
export function allowedRoute(route: Route, roles: readonly RoleGrant[]): Route {
  if (route.kind === 'site') {
    const pages = sitePagesFor(roles, route.siteId);
    if (pages.length === 0) return { kind: 'sites' };
    return pages.includes(route.page) ? route : { kind: 'site', siteId: route.siteId, page: 'overview' };
  }
  if (route.kind === 'global' && !globalPagesFor(roles).includes(route.page)) return { kind: 'sites' };
  return route;
}
