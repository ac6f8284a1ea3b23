import { describe, expect, it } from 'vitest';
import { ApiError, describeError, errorFrom, lockSeconds, NetworkError, parseSite, parseUser } from './api';
import { STRINGS } from './i18n';

describe('parseUser', () => {
  it('keeps known roles and drops odd grants', () => {
    const user = parseUser({
      id: 'u1',
      username: 'anna',
      disabled: false,
      roles: [{ siteId: '*', role: 'admin' }, { siteId: 'x', role: 'root' }, null, { role: 'viewer' }],
      lastLoginAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(user?.roles).toEqual([{ siteId: '*', role: 'admin' }]);
    expect(user?.lastLoginAt).toBeNull();
  });

  it('rejects bodies that are not a user', () => {
    expect(parseUser(null)).toBeNull();
    expect(parseUser({ username: 'x' })).toBeNull();
  });
});

describe('parseSite', () => {
  it('reads a site and defaults what is missing', () => {
    expect(parseSite({ id: 'musterwerk', name: 'Musterwerk', timeZone: 'Europe/Berlin', automationEnabled: true })).toMatchObject({
      id: 'musterwerk',
      name: 'Musterwerk',
      timeZone: 'Europe/Berlin',
      automationEnabled: true,
    });
    expect(parseSite({ id: 'x' })).toMatchObject({ name: 'x', automationEnabled: false });
    expect(parseSite([])).toBeNull();
  });
});

describe('errors', () => {
  it('takes code and message from the service body', () => {
    const e = errorFrom(403, 'Forbidden', { error: 'forbidden', message: 'Your role on site x does not allow operate', requestId: 'r' });
    expect(e).toMatchObject({ status: 403, code: 'forbidden', message: 'Your role on site x does not allow operate' });
    expect(errorFrom(502, 'Bad Gateway', '<html>')).toMatchObject({ code: '', message: 'HTTP 502 Bad Gateway' });
  });

  it('reads the lock-out seconds', () => {
    expect(lockSeconds('Too many failed logins: try again in 42 s')).toBe(42);
    expect(lockSeconds('Rate limit exceeded')).toBeNull();
  });

  it('localises the errors the UI knows and passes the others through', () => {
    const de = STRINGS.de;
    expect(describeError(new ApiError(401, 'invalid_credentials', 'Wrong user name or password'), de)).toBe(de.errWrongCredentials);
    expect(describeError(new ApiError(429, 'locked', 'Too many failed logins: try again in 42 s'), de)).toBe(de.errLocked(42));
    expect(describeError(new ApiError(400, 'weak_password', 'Password must not contain the user name'), de)).toBe(
      'Password must not contain the user name',
    );
    expect(describeError(new ApiError(429, '', 'Rate limit exceeded'), STRINGS.en)).toBe(STRINGS.en.errRateLimited('Rate limit exceeded'));
    expect(describeError(new NetworkError('Failed to fetch'), STRINGS.en)).toBe(STRINGS.en.errNetwork('Failed to fetch'));
  });
});
