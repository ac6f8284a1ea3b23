/**
 * Talking to the service for sign-in, setup and sites. The browser is authenticated by the
 * HTTP-only session cookie that POST /auth/login sets; the refresh token is kept in memory only
 * (never in storage), so a reload within the access-token lifetime stays signed in via the cookie,
 * and an open tab renews its session once when the cookie has expired.
 */
import { isRole, type RoleGrant } from './access';
import type { Strings } from './i18n';
import { parseReadings, parseSeriesList, type Aggregate, type Readings, type Resolution, type SeriesInfo } from './series/model';

const TIMEOUT_MS = 10_000;

export interface User {
  id: string;
  username: string;
  disabled: boolean;
  roles: RoleGrant[];
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Site {
  id: string;
  name: string;
  timeZone: string;
  automationEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An answer with an error status; `code` and `message` come from the service's error body when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The service could not be reached at all (or did not answer in time). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseUser(body: unknown): User | null {
  if (!isRecord(body) || typeof body.id !== 'string' || typeof body.username !== 'string') return null;
  const roles: RoleGrant[] = Array.isArray(body.roles)
    ? body.roles
        .filter(isRecord)
        .filter((g) => typeof g.siteId === 'string' && isRole(g.role))
        .map((g) => ({ siteId: g.siteId as string, role: g.role as RoleGrant['role'] }))
    : [];
  return {
    id: body.id,
    username: body.username,
    disabled: body.disabled === true,
    roles,
    lastLoginAt: typeof body.lastLoginAt === 'string' ? body.lastLoginAt : null,
    createdAt: str(body.createdAt),
  };
}

export function parseSite(body: unknown): Site | null {
  if (!isRecord(body) || typeof body.id !== 'string') return null;
  return {
    id: body.id,
    name: str(body.name) || body.id,
    timeZone: str(body.timeZone),
    automationEnabled: body.automationEnabled === true,
    createdAt: str(body.createdAt),
    updatedAt: str(body.updatedAt),
  };
}

/** The error an error response stands for; tolerant of bodies that are not the service's JSON shape. */
export function errorFrom(status: number, statusText: string, body: unknown): ApiError {
  const code = isRecord(body) && typeof body.error === 'string' ? body.error : '';
  const message = isRecord(body) && typeof body.message === 'string' && body.message ? body.message : `HTTP ${status} ${statusText}`.trim();
  return new ApiError(status, code, message);
}

/** Seconds from "Too many failed logins: try again in 42 s", or null. */
export function lockSeconds(message: string): number | null {
  const m = /(\d+)\s*s\b/.exec(message);
  return m ? Number(m[1]) : null;
}

let refreshToken: string | null = null;

async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new NetworkError(err instanceof Error ? err.message : String(err));
  }
  let parsed: unknown = null;
  if (res.status !== 204) {
    try {
      parsed = await res.json();
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) throw errorFrom(res.status, res.statusText, parsed);
  return { status: res.status, body: parsed };
}

/** Renews the session cookie once with the in-memory refresh token; false when there is none or it failed. */
async function renew(): Promise<boolean> {
  const token = refreshToken;
  if (!token) return false;
  refreshToken = null; // single use either way
  try {
    const { body } = await raw('POST', '/auth/refresh', { refreshToken: token });
    if (isRecord(body) && typeof body.refreshToken === 'string') refreshToken = body.refreshToken;
    return true;
  } catch {
    return false;
  }
}

/** A call that needs a signed-in user: on 401 it renews the session once and retries. */
export async function authed(method: string, path: string, body?: unknown): Promise<unknown> {
  try {
    return (await raw(method, path, body)).body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && (await renew())) return (await raw(method, path, body)).body;
    throw err;
  }
}

export async function getSetupNeeded(): Promise<boolean> {
  const { body } = await raw('GET', '/auth/setup');
  return isRecord(body) && body.setupNeeded === true;
}

export async function setup(token: string, username: string, password: string): Promise<void> {
  await raw('POST', '/auth/setup', { token, username, password });
}

export async function login(username: string, password: string): Promise<User> {
  const { body } = await raw('POST', '/auth/login', { username, password });
  const user = isRecord(body) ? parseUser(body.user) : null;
  if (!user) throw new ApiError(200, 'unexpected', 'Unexpected answer from POST /auth/login');
  refreshToken = isRecord(body) && typeof body.refreshToken === 'string' ? body.refreshToken : null;
  return user;
}

/** The signed-in user, or null when not signed in (401) or signed in with something other than a user. */
export async function me(): Promise<User | null> {
  try {
    const body = await authed('GET', '/auth/me');
    return isRecord(body) && body.kind === 'user' ? parseUser(body.user) : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function logout(): Promise<void> {
  try {
    // authed: renews first if the cookie has expired, so the server-side session really ends.
    await authed('POST', '/auth/logout');
  } catch (err) {
    // 401: the session had already ended — signed out is what was wanted.
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  } finally {
    refreshToken = null;
  }
}

export async function listSites(): Promise<Site[]> {
  const body = await authed('GET', '/sites');
  return Array.isArray(body) ? body.map(parseSite).filter((s): s is Site => s !== null) : [];
}

export async function setAutomation(siteId: string, enabled: boolean, reason: string): Promise<Site> {
  const trimmed = reason.trim();
  const body = await authed('PUT', `/sites/${encodeURIComponent(siteId)}/automation`, {
    enabled,
    ...(trimmed ? { reason: trimmed } : {}),
  });
  const site = parseSite(body);
  if (!site) throw new ApiError(200, 'unexpected', 'Unexpected answer from PUT /sites/{siteId}/automation');
  return site;
}

export async function listSeries(siteId: string): Promise<SeriesInfo[]> {
  return parseSeriesList(await authed('GET', `/sites/${encodeURIComponent(siteId)}/series`));
}

export interface ReadingsQuery {
  from: Date;
  to: Date;
  agg: Aggregate;
  /** omitted: the service picks one from the span */
  resolution?: Resolution;
}

export async function getReadings(siteId: string, seriesId: number, q: ReadingsQuery): Promise<Readings> {
  const params = new URLSearchParams({ from: q.from.toISOString(), to: q.to.toISOString(), agg: q.agg });
  if (q.resolution) params.set('resolution', q.resolution);
  const path = `/sites/${encodeURIComponent(siteId)}/series/${seriesId}/readings?${params.toString()}`;
  const readings = parseReadings(await authed('GET', path));
  if (!readings) throw new ApiError(200, 'unexpected', 'Unexpected answer from GET /sites/{siteId}/series/{seriesId}/readings');
  return readings;
}

/**
 * The service has no such route (404 from the service's not-found handler): the capability is not
 * built into this service yet. A 404 about a missing resource (no such device) is not this.
 */
export function isNotAvailable(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && (err.code === 'not_found' || err.code === '') && /^No route /.test(err.message);
}

/** Path of a site's resource, with the site id encoded. */
export function sitePath(siteId: string, rest: string): string {
  return `/sites/${encodeURIComponent(siteId)}${rest}`;
}

/**
 * Sends a file as the raw request body (imports, documents) with upload progress (0…1); XHR because
 * fetch reports no upload progress. Same cookie session as the other calls; one renewal on 401.
 */
export async function uploadRaw(path: string, file: Blob, contentType: string, onProgress?: (fraction: number) => void): Promise<unknown> {
  const once = () =>
    new Promise<{ status: number; statusText: string; body: unknown }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      xhr.setRequestHeader('Content-Type', contentType);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.timeout = 10 * TIMEOUT_MS;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          body = null;
        }
        resolve({ status: xhr.status, statusText: xhr.statusText, body });
      };
      xhr.onerror = () => reject(new NetworkError('upload failed'));
      xhr.ontimeout = () => reject(new NetworkError('upload timed out'));
      xhr.send(file);
    });
  let res = await once();
  if (res.status === 401 && (await renew())) res = await once();
  if (res.status < 200 || res.status >= 300) throw errorFrom(res.status, res.statusText, res.body);
  onProgress?.(1);
  return res.body;
}

/** What to tell the person: localised for the errors the UI knows, otherwise the service's own (actionable) message. */
export function describeError(err: unknown, t: Strings): string {
  if (err instanceof NetworkError) return t.errNetwork(err.message);
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  switch (err.code) {
    case 'invalid_credentials':
      return t.errWrongCredentials;
    case 'locked': {
      const s = lockSeconds(err.message);
      return s === null ? err.message : t.errLocked(s);
    }
    case 'invalid_setup_token':
      return t.errSetupToken;
    case 'already_set_up':
      return t.errAlreadySetUp;
    case 'unauthenticated':
    case 'invalid_token':
      return t.sessionEnded;
  }
  if (err.status === 429) return t.errRateLimited(err.message);
  return err.message;
}
