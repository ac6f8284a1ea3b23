import { describe, expect, it } from 'vitest';
import { can, describeRoles, isRole, roleOnSite, type RoleGrant } from './access';

const admin: RoleGrant[] = [{ siteId: '*', role: 'admin' }];
const viewerHere: RoleGrant[] = [{ siteId: 'musterwerk', role: 'viewer' }];
const mixed: RoleGrant[] = [
  { siteId: 'musterwerk', role: 'operator' },
  { siteId: '*', role: 'viewer' },
  { siteId: 'bergbad', role: 'engineer' },
];

describe('roleOnSite', () => {
  it('takes the site grant or the all-sites grant', () => {
    expect(roleOnSite(admin, 'musterwerk')).toBe('admin');
    expect(roleOnSite(viewerHere, 'musterwerk')).toBe('viewer');
    expect(roleOnSite(mixed, 'elsewhere')).toBe('viewer');
  });

  it('lets the stronger of the two win', () => {
    expect(roleOnSite(mixed, 'musterwerk')).toBe('operator');
    expect(roleOnSite([{ siteId: '*', role: 'engineer' }, ...viewerHere], 'musterwerk')).toBe('engineer');
  });

  it('is undefined without a grant', () => {
    expect(roleOnSite([], 'musterwerk')).toBeUndefined();
    expect(roleOnSite(viewerHere, 'bergbad')).toBeUndefined();
  });
});

describe('can', () => {
  it('follows the role order viewer < operator < engineer < admin', () => {
    const on = (role: RoleGrant['role']): RoleGrant[] => [{ siteId: 's', role }];
    expect(can(on('viewer'), 'read', 's')).toBe(true);
    expect(can(on('viewer'), 'operate', 's')).toBe(false);
    expect(can(on('operator'), 'operate', 's')).toBe(true);
    expect(can(on('operator'), 'configure', 's')).toBe(false);
    expect(can(on('engineer'), 'configure', 's')).toBe(true);
    expect(can(on('engineer'), 'ingest', 's')).toBe(true);
    expect(can(on('engineer'), 'administer', 's')).toBe(false);
    expect(can(on('admin'), 'administer', 's')).toBe(true);
  });

  it('applies per site and for every site with *', () => {
    expect(can(mixed, 'operate', 'musterwerk')).toBe(true);
    expect(can(mixed, 'operate', 'elsewhere')).toBe(false);
    expect(can(mixed, 'read', 'elsewhere')).toBe(true);
    expect(can(admin, 'operate', 'anything')).toBe(true);
    expect(can(viewerHere, 'read', 'bergbad')).toBe(false);
    expect(can([], 'read', 'musterwerk')).toBe(false);
  });

  it('asks about every site when the site id is *', () => {
    expect(can(admin, 'administer', '*')).toBe(true);
    expect(can(mixed, 'operate', '*')).toBe(false);
  });
});

describe('describeRoles', () => {
  it('describes grants in English and German, all sites first', () => {
    expect(describeRoles(admin, 'en')).toBe('admin on all sites');
    expect(describeRoles(mixed, 'en')).toBe('viewer on all sites, engineer on bergbad, operator on musterwerk');
    expect(describeRoles(admin, 'de')).toBe('Administrator für alle Standorte');
    expect(describeRoles(viewerHere, 'de')).toBe('Betrachter für musterwerk');
  });

  it('says when there are no roles', () => {
    expect(describeRoles([], 'en')).toBe('no roles yet');
    expect(describeRoles([], 'de')).toBe('noch keine Rollen');
  });

  it('does not reorder the caller’s array', () => {
    const roles = [...mixed];
    describeRoles(roles, 'en');
    expect(roles).toEqual(mixed);
  });
});

describe('isRole', () => {
  it('accepts the four roles only', () => {
    expect(['viewer', 'operator', 'engineer', 'admin'].every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
