import { describe, expect, it } from 'vitest';
import { auditChange, parseApiKeys, parseAudit, withGrant } from './model';

describe('admin model', () => {
  it('sets, replaces and removes a site grant; all-sites first', () => {
    const g = withGrant([{ siteId: 'b', role: 'viewer' }], '*', 'viewer');
    expect(g).toEqual([
      { siteId: '*', role: 'viewer' },
      { siteId: 'b', role: 'viewer' },
    ]);
    expect(withGrant(g, 'b', 'operator')).toContainEqual({ siteId: 'b', role: 'operator' });
    expect(withGrant(g, 'b', null)).toEqual([{ siteId: '*', role: 'viewer' }]);
  });

  it('parses keys and audit entries, dropping broken ones', () => {
    expect(
      parseApiKeys([
        { id: 'k', name: 'gw', prefix: 'luna_ab', siteId: 'demo', scopes: ['ingest'], createdAt: 'x', lastUsedAt: null, revokedAt: null },
        {},
      ]),
    ).toHaveLength(1);
    expect(parseAudit([{ id: 1, at: 'x', actorType: 'user', actorName: 'admin', action: 'auth.login' }, { id: 'no' }])).toHaveLength(1);
  });

  it('describes audit changes', () => {
    expect(auditChange({ enabled: false, name: 'a' }, { enabled: true, name: 'a' })).toBe('enabled: false → true');
    expect(auditChange(null, { x: 1 })).toBe('x: – → 1');
    expect(auditChange(null, null)).toBe('');
    expect(auditChange(1, 2)).toBe('1 → 2');
  });
});
