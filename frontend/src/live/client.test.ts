/**
 * The dashboard's live client against the real service (createApp, guard, WebSocket route) with
 * `ws` as the WebSocket: subscribe, lose the connection, resume from the cursor without gaps or
 * duplicates; a gap is reported; a revoked session stops reconnecting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelayMs, connectLive, liveUrl, type LiveGap, type LiveMessage, type LiveStatus, type SocketLike } from './client';

// The service and `ws` are loaded at run time by path, so that the dashboard's type check does not
// compile the service's sources with browser settings; these are the parts used here.
interface TestApp {
  base: string;
  app: { bus: { publish(topic: string, message: unknown): Promise<void> } };
  close(): Promise<void>;
}
type Call = (base: string, method: string, path: string, o?: { token?: string; body?: unknown }) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface NodeSocket extends SocketLike {
  terminate(): void;
}
const API_TEST = '../../../api/src/test/app.ts';
const WS = 'ws';
const { startTestApp, call } = (await import(/* @vite-ignore */ API_TEST)) as {
  startTestApp: (raw: Record<string, string>) => Promise<TestApp>;
  call: Call;
};
const NodeWebSocket = ((await import(/* @vite-ignore */ WS)) as { default: new (url: string) => NodeSocket }).default;
const PLAN_TOPIC = 'live.plan';

const SITE = 'clientwerk';
const PASSWORD = 'Sonnenstrom-2026!';
let t: TestApp;
let token = '';

/** `ws` with the browser's constructor signature; remembers its sockets so a test can cut them. */
const sockets: NodeSocket[] = [];
const Ws = function (url: string) {
  const s = new NodeWebSocket(url);
  sockets.push(s);
  return s;
} as unknown as new (url: string) => SocketLike;

const until = async (cond: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const plan = (n: number) =>
  t.app.bus.publish(PLAN_TOPIC, { siteId: SITE, planId: `p${n}`, createdAtMs: n, reason: 'test', peakTargetW: 1 });

beforeAll(async () => {
  t = await startTestApp({ LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_LIVE_JOURNAL_SIZE: '20' });
  token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
  expect((await call(t.base, 'POST', '/sites', { token, body: { id: SITE, name: SITE } })).status).toBe(201);
});
afterAll(() => t.close());

describe('connectLive', () => {
  it('builds the socket URL from the page location', () => {
    expect(liveUrl('werk 1', { protocol: 'https:', host: 'ems.example:8443' })).toBe('wss://ems.example:8443/sites/werk%201/live');
    expect(liveUrl('a', { protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/sites/a/live');
  });

  it('backs off exponentially up to the maximum, with jitter', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelayMs(a, 500, 30_000, () => 0.5))).toEqual([500, 1000, 2000, 4000, 30_000]);
    expect(backoffDelayMs(1, 500, 30_000, () => 0)).toBe(375);
    expect(backoffDelayMs(1, 500, 30_000, () => 1)).toBe(625);
  });

  it('resumes after a lost connection with every message once, in order', async () => {
    const got: LiveMessage[] = [];
    const states: LiveStatus[] = [];
    const wsBase = t.base.replace(/^http/, 'ws');
    const conn = connectLive({
      url: `${wsBase}/sites/${SITE}/live`,
      topics: ['plan'],
      token: () => token,
      WebSocket: Ws,
      backoffMs: { min: 50, max: 200 },
      onMessage: (m) => got.push(m),
      onStatus: (s) => states.push(s),
    });
    await until(() => states.some((s) => s.state === 'live'), 'live');
    for (let n = 1; n <= 3; n++) await plan(n);
    await until(() => got.length === 3, '3 messages');
    sockets.at(-1)!.terminate(); // the network drops
    await until(() => states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    for (let n = 4; n <= 6; n++) await plan(n); // published while disconnected
    await until(() => got.length === 6, 'the missed messages');
    await until(() => states.filter((s) => s.state === 'live').length === 2, 'live again');
    for (let n = 7; n <= 8; n++) await plan(n);
    await until(() => got.length === 8, 'live messages');
    expect(got.map((m) => m.data.planId)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
    const cursors = got.map((m) => m.cursor);
    expect(cursors).toEqual(cursors.map((_, i) => cursors[0]! + i));
    expect(conn.position().cursor).toBe(cursors.at(-1));
    conn.close();
    expect(states.at(-1)).toEqual({ state: 'stopped' });
  });

  it('reports a gap when it was away longer than the journal reaches', async () => {
    const got: LiveMessage[] = [];
    const gaps: LiveGap[] = [];
    let live = 0;
    const conn = connectLive({
      url: `${t.base.replace(/^http/, 'ws')}/sites/${SITE}/live`,
      topics: ['*'],
      token: () => token,
      WebSocket: Ws,
      backoffMs: { min: 300, max: 300 },
      onMessage: (m) => got.push(m),
      onGap: (g) => gaps.push(g),
      onStatus: (s) => s.state === 'live' && live++,
    });
    await until(() => live === 1, 'live');
    const before = conn.position().cursor;
    sockets.at(-1)!.terminate();
    for (let n = 0; n < 25; n++) await plan(100 + n); // 5 more than the journal keeps
    await until(() => live === 2, 'live again');
    expect(gaps).toEqual([{ reason: 'expired', from: before + 1, to: before + 5 }]);
    expect(got.length).toBe(20);
    expect(got[0]!.cursor).toBe(before + 6);
    conn.close();
  });

  it('renews an ended session and resumes; stops (no reconnect loop) when it cannot', async () => {
    const states: LiveStatus[] = [];
    const got: LiveMessage[] = [];
    const app = await startTestApp({ LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_LIVE_RECHECK_S: '1' });
    const signIn = async () =>
      (await call(app.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken as string;
    try {
      let current = await signIn();
      await call(app.base, 'POST', '/sites', { token: current, body: { id: SITE, name: SITE } });
      let renewals = 0;
      connectLive({
        url: `${app.base.replace(/^http/, 'ws')}/sites/${SITE}/live`,
        topics: ['plan'],
        token: () => current,
        WebSocket: Ws,
        onMessage: (m) => got.push(m),
        onStatus: (s) => states.push(s),
        // the first time the session ends the page signs in again; the second time it cannot
        renew: async () => {
          if (++renewals > 1) return false;
          current = await signIn();
          return true;
        },
      });
      const publish = (n: number) =>
        app.app.bus.publish(PLAN_TOPIC, { siteId: SITE, planId: `p${n}`, createdAtMs: n, reason: 'test', peakTargetW: 1 });
      await until(() => states.some((s) => s.state === 'live'), 'live');
      await publish(1);
      expect((await call(app.base, 'POST', '/auth/logout', { token: current })).status).toBe(204);
      await until(() => states.filter((s) => s.state === 'live').length === 2, 'live again after renewal');
      await publish(2);
      await until(() => got.length === 2, 'both messages');
      expect(got.map((m) => m.data.planId)).toEqual(['p1', 'p2']);
      expect((await call(app.base, 'POST', '/auth/logout', { token: current })).status).toBe(204);
      await until(() => states.some((s) => s.state === 'stopped'), 'stopped');
      expect(states.at(-1)).toMatchObject({ state: 'stopped', code: 4401 });
      expect(renewals).toBe(2);
    } finally {
      await app.close();
    }
  });
});
