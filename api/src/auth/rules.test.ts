import { describe, expect, it } from 'vitest';
import { FREE_ATTEMPTS, lockDurationMs, MAX_LOCK_MS } from './lockout.js';
import { hashPassword, passwordProblems, verifyPassword } from './password.js';
import { roleOnSite, userMay, type Role } from './roles.js';
import { hashToken, newToken, tokenKind } from './tokens.js';

describe('roles', () => {
  const grants = (entries: Array<[string, Role]>) => new Map(entries);

  it.each<[string, Array<[string, Role]>, string, string, boolean]>([
    ['a viewer reads', [['musterwerk', 'viewer']], 'read', 'musterwerk', true],
    ['a viewer does not operate', [['musterwerk', 'viewer']], 'operate', 'musterwerk', false],
    ['an operator operates', [['musterwerk', 'operator']], 'operate', 'musterwerk', true],
    ['an operator does not configure', [['musterwerk', 'operator']], 'configure', 'musterwerk', false],
    ['an engineer configures and ingests', [['musterwerk', 'engineer']], 'ingest', 'musterwerk', true],
    ['an engineer does not administer', [['musterwerk', 'engineer']], 'administer', 'musterwerk', false],
    ['a role on one site gives nothing on another', [['other', 'admin']], 'read', 'musterwerk', false],
    ['a role on * applies to every site', [['*', 'operator']], 'operate', 'musterwerk', true],
    [
      'the stronger of site and * wins',
      [
        ['musterwerk', 'viewer'],
        ['*', 'engineer'],
      ],
      'configure',
      'musterwerk',
      true,
    ],
    [
      'the site role wins when it is stronger',
      [
        ['musterwerk', 'admin'],
        ['*', 'viewer'],
      ],
      'administer',
      'musterwerk',
      true,
    ],
  ])('%s', (_name, entries, permission, site, allowed) => {
    expect(userMay(grants(entries), permission as never, site)).toBe(allowed);
  });

  it('has no role where nothing is granted', () => {
    expect(roleOnSite(new Map(), 'musterwerk')).toBeUndefined();
  });
});

describe('password policy', () => {
  it.each([
    ['short', 'admin', ['must be at least 12 characters']],
    ['admin-rocks-2026', 'admin', ['must not contain the user name']],
    ['password1234', 'alice', ['is a commonly used password']],
    ['aaaaaaaaaaaaaa', 'alice', ['must not be one repeated character']],
    ['Lastgang-Leistungspreis-15', 'alice', []],
  ])('"%s" for %s', (password, user, problems) => {
    expect(passwordProblems(password, user)).toEqual(problems);
  });

  it('hashes with Argon2id and verifies', async () => {
    const hash = await hashPassword('Lastgang-Leistungspreis-15');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'Lastgang-Leistungspreis-15')).toBe(true);
    expect(await verifyPassword(hash, 'Lastgang-Leistungspreis-16')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});

describe('lockout backoff', () => {
  it('lets the first attempts through, then doubles the lock up to the cap', () => {
    const locks = Array.from({ length: 16 }, (_, i) => lockDurationMs(i + 1));
    expect(locks.slice(0, FREE_ATTEMPTS - 1)).toEqual([0, 0, 0, 0]);
    expect(locks.slice(FREE_ATTEMPTS - 1, FREE_ATTEMPTS + 3)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...locks)).toBe(MAX_LOCK_MS);
  });
});

describe('tokens', () => {
  it('are random, typed, and stored only as a hash', () => {
    const a = newToken('at');
    const b = newToken('at');
    expect(a).not.toBe(b);
    expect(tokenKind(a)).toBe('at');
    expect(tokenKind(newToken('key'))).toBe('key');
    expect(tokenKind('luna_at_short')).toBeUndefined();
    expect(tokenKind('Bearer something')).toBeUndefined();
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).not.toContain(a.slice(8));
  });
});
