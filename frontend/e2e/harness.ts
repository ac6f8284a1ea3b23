/**
 * Shared set-up of the browser tests: the real service (in-process, embedded database, the demo
 * site on the simulator unless told otherwise), Debian's Chromium through playwright-core, users
 * of every role created through the API, sign-in, screenshots and console-error capture.
 * Needs the built dashboard (npm run build -w frontend) and CHROMIUM_PATH (scripts/services up).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FRONTEND_DIST } from '../../api/src/http/server.js';
import { call, startTestApp, type TestApp } from '../../api/src/test/app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH;
export const canRun = Boolean(CHROMIUM && existsSync(CHROMIUM) && existsSync(join(FRONTEND_DIST, 'index.html')));
export const skipReason = !CHROMIUM ? 'CHROMIUM_PATH not set (scripts/services up)' : 'dashboard not built (npm run build -w frontend)';

export const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
export const PASSWORD = 'Lastspitze-Kappen-2026';
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];
/** user name per role; admin is the first administrator, the others get their role on the demo site */
export const USERS: Record<RoleName, string> = {
  viewer: 'vera-viewer',
  operator: 'otto-operator',
  engineer: 'erika-engineer',
  admin: 'admin',
};
export const DEMO = 'demo';

export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let announced = false;

export interface Harness {
  t: TestApp;
  browser: Browser;
  adminToken: string;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_DEMO: 'simulator', LUNA_DEMO_INTERVAL_S: '1', ...env });
  const login = await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const adminToken = login.body.accessToken as string;
  for (const role of ['viewer', 'operator', 'engineer'] as const) {
    const r = await call(t.base, 'POST', '/users', {
      token: adminToken,
      body: { username: USERS[role], password: PASSWORD, roles: [{ siteId: DEMO, role }] },
    });
    if (r.status !== 201) throw new Error(`creating ${role} failed: ${r.status} ${JSON.stringify(r.body)}`);
  }
  // playwright gives the browser a fresh temporary profile of its own
  const browser = await chromium.launch({
    executablePath: CHROMIUM!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    t,
    browser,
    adminToken,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

export interface TestPage {
  page: Page;
  /** uncaught exceptions, console errors of the app, and failed requests that were not expected */
  errors: string[];
  /** failed requests that are part of the protocol (listed, printed, not counted as errors) */
  expectedFailures: string[];
}

/**
 * Answers with an error status the dashboard expects and handles: 401 from /auth/me while signed
 * out, and 404 where a resource does not exist yet (no plan yet, no energy configuration).
 * Chromium logs every one of these as "Failed to load resource"; they are not errors of the app.
 */
const EXPECTED_FAILURES: Array<[number, RegExp]> = [
  [401, /\/auth\/me$/],
  [404, /\/sites\/[^/]+\/(plans\/current|energy)$/],
];

/** A tablet-sized page (1024 × 768) with console errors collected. */
export async function newPage(h: Harness, locale = 'en-GB'): Promise<TestPage> {
  const page = await h.browser.newPage({ viewport: { width: 1024, height: 768 }, locale });
  const errors: string[] = [];
  const expectedFailures: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // network failures are judged below by their URL; everything else the app logs as an error counts
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    const line = `${r.status()} ${r.request().method()} ${path}`;
    if (EXPECTED_FAILURES.some(([status, re]) => status === r.status() && re.test(path))) expectedFailures.push(line);
    else errors.push(`request: ${line}`);
  });
  return { page, errors, expectedFailures };
}

export async function signIn(h: Harness, page: Page, role: RoleName): Promise<void> {
  await page.goto(`${h.t.base}/`, { timeout: 60_000 });
  await page.getByLabel(/user name|benutzername/i).fill(USERS[role]);
  await page.getByLabel(/^password|^passwort/i).fill(role === 'admin' ? ADMIN_PASSWORD : PASSWORD);
  await page.getByRole('button', { name: /^(sign in|anmelden)$/i }).click();
  await page
    .getByText(/signed in as|angemeldet als/i)
    .first()
    .waitFor({ timeout: 15_000 });
}

/** Full-page screenshot into frontend/e2e/screenshots/<name>.png; the folder is printed once per process. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (!announced) {
    console.log(`SCREENSHOTS ${SCREENSHOTS}`);
    announced = true;
  }
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** 404 "No route" from the service: that capability is not in this build yet. */
export async function routeExists(h: Harness, method: string, path: string, body?: unknown): Promise<boolean> {
  const r = await call(h.t.base, method, path, { token: h.adminToken, ...(body === undefined ? {} : { body }) });
  return !(r.status === 404 && typeof r.body?.message === 'string' && r.body.message.startsWith('No route'));
}

/** Goes to a page by its address (#/site/demo/<page> or #/<page>) in the signed-in app. */
export async function openPage(h: Harness, page: Page, hash: string): Promise<void> {
  await page.evaluate((hsh) => {
    window.location.hash = hsh;
  }, hash);
}

/** Polls `read` until `ok` holds (for set-up code, where expect.poll is not allowed); throws with the last value on timeout. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
