import { describe, expect, it } from 'vitest';
import { allowedRoute, formatHash, globalPagesFor, parseHash, sitePagesFor } from './nav';

describe('routes in the address bar', () => {
  it.each([
    ['', { kind: 'sites' }],
    ['#/', { kind: 'sites' }],
    ['#/site/demo', { kind: 'site', siteId: 'demo', page: 'overview' }],
    ['#/site/demo/devices', { kind: 'site', siteId: 'demo', page: 'devices' }],
    ['#/site/demo/nonsense', { kind: 'site', siteId: 'demo', page: 'overview' }],
    ['#/site/a%20b/alerts', { kind: 'site', siteId: 'a b', page: 'alerts' }],
    ['#/admin', { kind: 'global', page: 'admin' }],
    ['#/knowledge', { kind: 'global', page: 'knowledge' }],
    ['#/whatever', { kind: 'sites' }],
  ])('%s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it('round-trips', () => {
    for (const h of ['#/', '#/site/a%20b/imports', '#/admin']) expect(formatHash(parseHash(h))).toBe(h);
  });
});

describe('pages offered by role', () => {
  const viewer = [{ siteId: 'demo', role: 'viewer' as const }];
  const engineer = [{ siteId: 'demo', role: 'engineer' as const }];
  const admin = [{ siteId: '*', role: 'admin' as const }];

  it('a viewer gets no imports and no admin', () => {
    expect(sitePagesFor(viewer, 'demo')).toEqual(['overview', 'explorer', 'forecast', 'devices', 'alerts']);
    expect(globalPagesFor(viewer)).toEqual(['knowledge']);
  });
  it('an engineer may import; a site admin is not an installation admin', () => {
    expect(sitePagesFor(engineer, 'demo')).toContain('imports');
    expect(globalPagesFor([{ siteId: 'demo', role: 'admin' }])).toEqual(['knowledge']);
  });
  it('nothing on a site without a grant', () => {
    expect(sitePagesFor(viewer, 'other')).toEqual([]);
  });
  it('an admin on all sites gets everything', () => {
    expect(sitePagesFor(admin, 'x')).toHaveLength(6);
    expect(globalPagesFor(admin)).toEqual(['knowledge', 'admin']);
  });
  it('forbidden routes fall back', () => {
    expect(allowedRoute({ kind: 'site', siteId: 'demo', page: 'imports' }, viewer)).toEqual({
      kind: 'site',
      siteId: 'demo',
      page: 'overview',
    });
    expect(allowedRoute({ kind: 'global', page: 'admin' }, viewer)).toEqual({ kind: 'sites' });
    expect(allowedRoute({ kind: 'site', siteId: 'other', page: 'overview' }, viewer)).toEqual({ kind: 'sites' });
  });
});
