/**
 * The live WebSocket API against the real service (createApp with the guard, real sockets):
 * authorisation like REST, catch-up after a reconnect without gaps or duplicates, gap signalling,
 * the slow-consumer drop, re-checks of the session, and the readings/events/device publishers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { upsertEvents } from '../events/store.js';
import { LIVE_TOPICS, type LivePlan } from './topics.js';
import { openSocket, type Frame, type TestSocket } from './test-client.js';
import { CLOSE } from './protocol.js';

const SITE = 'livewerk';
const ADMIN_PASSWORD = 'Sonnenstrom-2026!';
const PASSWORD = 'Lastgang-Leistungspreis-15';
const JOURNAL = 30;

let t: TestApp;
let wsBase = '';
let adminToken = '';
let seq = 0;

async function login(username: string, password = PASSWORD) {
  const r = await call(t.base, 'POST', '/auth/login', { body: { username, password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { token: r.body.accessToken as string, cookies: r.headers.getSetCookie(), userId: r.body.user.id as string };
}
async function newUser(role: string, site = SITE) {
  const username = `live-${process.pid}-${++seq}`;
  const r = await call(t.base, 'POST', '/users', {
    token: adminToken,
    body: { username, password: PASSWORD, roles: [{ siteId: site, role }] },
  });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, ...(await login(username)) };
}
async function newKey(scopes: string[]) {
  const r = await call(t.base, 'POST', '/api-keys', { token: adminToken, body: { name: `k${++seq}`, siteId: SITE, scopes } });
  expect(r.status).toBe(201);
  return r.body.secret as string;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const liveUrl = (site = SITE, query = '') => `${wsBase}/sites/${site}/live${query}`;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'opened',
    (err: { status?: number }) => err.status,
  );

function plan(n: number, reason = `plan ${n}`): LivePlan {
  return { siteId: SITE, planId: `p${n}`, createdAtMs: 1_750_000_000_000 + n, reason, peakTargetW: 400_000 };
}
const publishPlans = async (from: number, to: number) => {
  for (let n = from; n <= to; n++) await t.app.bus.publish(LIVE_TOPICS.plan, plan(n));
};
const msgs = (s: TestSocket, after = 0) => s.frames.slice(after).filter((f) => f.type === 'msg');

async function subscribed(token: string, subscribe: unknown): Promise<{ s: TestSocket; hello: Frame; live: Frame }> {
  const s = await openSocket(liveUrl(), bearer(token));
  const hello = await s.next((f) => f.type === 'hello');
  s.send(subscribe);
  const live = await s.next((f) => f.type === 'live');
  return { s, hello, live };
}

async function metric(name: string): Promise<number> {
  const text = (await call(t.base, 'GET', '/metrics')).body as string;
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

beforeAll(async () => {
  t = await startTestApp({
    LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LUNA_LOGIN_RATE_LIMIT: '10000',
    LUNA_LIVE_JOURNAL_SIZE: String(JOURNAL),
    LUNA_LIVE_MAX_BUFFER_KB: '256',
    LUNA_LIVE_RECHECK_S: '1',
  });
  wsBase = t.base.replace(/^http/, 'ws');
  adminToken = (await login('admin', ADMIN_PASSWORD)).token;
  for (const id of [SITE, 'other'])
    expect((await call(t.base, 'POST', '/sites', { token: adminToken, body: { id, name: id } })).status).toBe(201);
});
afterAll(() => t.close());

describe('authorisation (the guard, as for REST)', () => {
  it('refuses the upgrade without credentials, for another site, for an ingest-only key, and for an unknown site', async () => {
    expect(await refusal(openSocket(liveUrl()))).toBe(401);
    expect(await refusal(openSocket(liveUrl(), bearer('luna_at_not-a-token')))).toBe(401);
    const stranger = await newUser('admin', 'other');
    expect(await refusal(openSocket(liveUrl(), bearer(stranger.token)))).toBe(403);
    expect(await refusal(openSocket(liveUrl(), bearer(await newKey(['ingest']))))).toBe(403);
    expect(await refusal(openSocket(liveUrl('nowhere'), bearer(adminToken)))).toBe(404);
  });

  it('answers a plain GET with 426 and says to use a WebSocket', async () => {
    const viewer = await newUser('viewer');
    const r = await call(t.base, 'GET', `/sites/${SITE}/live`, { token: viewer.token });
    expect(r.status).toBe(426);
    expect(r.body.message).toMatch(/WebSocket/);
  });

  it('lets a viewer in by header, by session cookie and by ?access_token= (cut from the URL before logging), and a read key', async () => {
    const viewer = await newUser('viewer');
    const opened: TestSocket[] = [];
    opened.push(await openSocket(liveUrl(), bearer(viewer.token)));
    opened.push(await openSocket(liveUrl(), { cookie: viewer.cookies.map((c) => c.split(';')[0]).join('; ') }));
    opened.push(await openSocket(liveUrl(SITE, `?access_token=${encodeURIComponent(viewer.token)}`)));
    opened.push(await openSocket(liveUrl(), bearer(await newKey(['read']))));
    for (const s of opened) {
      const hello = await s.next((f) => f.type === 'hello');
      expect(hello).toMatchObject({ siteId: SITE, topics: expect.arrayContaining(['readings', 'plan', 'device', 'event', 'alert']) });
      s.ws.close();
    }
    expect(JSON.stringify(t.logs())).not.toContain(viewer.token);
  });

  it('closes the socket of a revoked session (4401) and of a user whose role on the site was taken away (4403)', async () => {
    const revoked = await newUser('viewer');
    const demoted = await newUser('operator');
    const a = await openSocket(liveUrl(), bearer(revoked.token));
    const b = await openSocket(liveUrl(), bearer(demoted.token));
    expect((await call(t.base, 'POST', `/users/${revoked.id}/revoke-sessions`, { token: adminToken })).status).toBe(200);
    const roles = await call(t.base, 'PUT', `/users/${demoted.id}/roles`, {
      token: adminToken,
      body: { roles: [{ siteId: 'other', role: 'operator' }] },
    });
    expect(roles.status).toBe(200);
    expect(await a.closed).toMatchObject({ code: CLOSE.unauthenticated });
    const closedB = await b.closed;
    expect(closedB.code).toBe(CLOSE.forbidden);
    expect(closedB.reason).toMatch(/no longer allowed/);
    expect(await metric('luna_ws_dropped_clients_total{reason="auth"')).toBeGreaterThanOrEqual(2);
  });
});

describe('catch-up from a cursor', () => {
  it('resumes after a reconnect with exactly the missed messages — no gap, no duplicate — then streams live', async () => {
    const viewer = await newUser('viewer');
    const first = await subscribed(viewer.token, { subscribe: ['plan'] });
    const base = first.live.cursor as number;
    await publishPlans(1, 5);
    await first.s.next(() => msgs(first.s).length === 5);
    const seen = msgs(first.s);
    expect(seen.map((m) => m.cursor)).toEqual([base + 1, base + 2, base + 3, base + 4, base + 5]);
    expect(seen.map((m) => m.data.planId)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    first.s.ws.close();
    await first.s.closed;

    await publishPlans(6, 10); // while nobody listens
    const last = seen.at(-1)!.cursor as number;
    const again = await subscribed(viewer.token, { subscribe: ['plan'], cursor: last, epoch: first.hello.epoch });
    const replayed = msgs(again.s);
    expect(replayed.map((m) => m.data.planId)).toEqual(['p6', 'p7', 'p8', 'p9', 'p10']);
    expect(replayed.map((m) => m.cursor)).toEqual([last + 1, last + 2, last + 3, last + 4, last + 5]);
    expect(again.s.frames.some((f) => f.type === 'gap')).toBe(false);
    expect(again.live.cursor).toBe(last + 5);
    await publishPlans(11, 12);
    await again.s.next(() => msgs(again.s).length === 7);
    const all = msgs(again.s).map((m) => m.cursor as number);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((x, y) => x - y));
    expect(
      msgs(again.s)
        .map((m) => m.data.planId)
        .slice(5),
    ).toEqual(['p11', 'p12']);
    again.s.ws.close();
  });

  it('sends only the subscribed topics, and reports unknown topics without refusing the known ones', async () => {
    const viewer = await newUser('viewer');
    const { s, live } = await subscribed(viewer.token, { subscribe: ['device', 'solar-flares'] });
    expect(s.frames.find((f) => f.type === 'error')).toMatchObject({
      code: 'unknown_topic',
      message: expect.stringContaining('solar-flares'),
    });
    expect(live.topics).toEqual(['device']);
    await publishPlans(100, 101);
    await t.app.bus.publish(LIVE_TOPICS.device, { siteId: SITE, deviceId: 'bat1', state: 'online', sinceMs: 1, lastValueMs: null });
    await t.app.bus.publish(LIVE_TOPICS.device, { siteId: 'other', deviceId: 'x', state: 'online', sinceMs: 1, lastValueMs: null });
    const m = await s.next((f) => f.type === 'msg');
    expect(m).toMatchObject({ topic: 'device', data: { deviceId: 'bat1' } });
    s.send({ ping: 'p-1' });
    await s.next((f) => f.type === 'pong' && f.id === 'p-1');
    expect(msgs(s).length).toBe(1);
    s.ws.send('{nonsense');
    expect(await s.next((f) => f.type === 'error' && f.code === 'bad_json')).toBeTruthy();
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    s.ws.close();
  });

  it('says which range is gone when the cursor is older than the journal, then replays what it keeps', async () => {
    const viewer = await newUser('viewer');
    const first = await subscribed(viewer.token, { subscribe: ['plan'] });
    const cursor = first.live.cursor as number;
    first.s.ws.close();
    await publishPlans(200, 200 + JOURNAL + 9); // 10 more than the journal keeps
    const again = await subscribed(viewer.token, { subscribe: ['plan'], cursor, epoch: first.hello.epoch });
    const gap = again.s.frames.find((f) => f.type === 'gap');
    expect(gap).toEqual({ type: 'gap', reason: 'expired', from: cursor + 1, to: cursor + 10 });
    const replayed = msgs(again.s);
    expect(replayed.length).toBe(JOURNAL);
    expect(replayed[0]!.cursor).toBe(cursor + 11);
    expect(replayed.at(-1)!.data.planId).toBe(`p${200 + JOURNAL + 9}`);
    // the gap comes before the first replayed message
    expect(again.s.frames.indexOf(gap!)).toBeLessThan(again.s.frames.indexOf(replayed[0]!));
    again.s.ws.close();
  });

  it('treats a cursor of an earlier run (other epoch) as a gap to reload', async () => {
    const viewer = await newUser('viewer');
    const { s } = await subscribed(viewer.token, { subscribe: ['plan'], cursor: 3, epoch: 'an-earlier-run' });
    expect(s.frames.find((f) => f.type === 'gap')).toMatchObject({ reason: 'restarted', from: 1 });
    s.ws.close();
  });
});

describe('slow consumers', () => {
  it('closes a client that does not read (1013) while a reading client gets every message', async () => {
    const viewer = await newUser('viewer');
    const slow = await subscribed(viewer.token, { subscribe: ['plan'] });
    const fast = await subscribed(viewer.token, { subscribe: ['plan'] });
    const droppedBefore = (await metric('luna_ws_dropped_clients_total{reason="slow"')) || 0;
    const rawSocket = (slow.s.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    rawSocket.pause();
    const big = 'x'.repeat(64 * 1024);
    const count = 400; // 26 MB: more than the kernel's socket buffers and the 256 KiB limit
    // two messages (128 KiB) at a time, the next two once the reading client has them: it never lags
    for (let n = 0; n < count; n += 2) {
      await t.app.bus.publish(LIVE_TOPICS.plan, plan(1000 + n, big));
      await t.app.bus.publish(LIVE_TOPICS.plan, plan(1001 + n, big));
      await fast.s.next(() => msgs(fast.s).length === n + 2);
    }
    expect(msgs(fast.s).at(-1)!.data.planId).toBe(`p${1000 + count - 1}`);
    expect(await metric('luna_ws_dropped_clients_total{reason="slow"')).toBe(droppedBefore + 1);
    rawSocket.resume();
    setTimeout(() => slow.s.ws.terminate(), 10_000).unref();
    const closed = await slow.s.closed;
    expect([CLOSE.slowConsumer, 1006]).toContain(closed.code);
    if (closed.code === CLOSE.slowConsumer) expect(closed.reason).toMatch(/slow consumer/);
    expect(msgs(slow.s).length).toBeLessThan(count);
    fast.s.ws.close();
  });
});

describe('publishers', () => {
  it('publishes the newest accepted reading per series with its key, events as they change, and the client count', async () => {
    const viewer = await newUser('viewer');
    const { s } = await subscribed(viewer.token, { subscribe: ['readings', 'event'] });
    const series = await call(t.base, 'POST', `/sites/${SITE}/series`, {
      token: adminToken,
      body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
    });
    expect(series.status).toBe(201);
    const r = await call(t.base, 'POST', '/ingest/readings', {
      token: adminToken,
      body: {
        siteId: SITE,
        readings: [
          { series: series.body.id, ts: '2025-06-14T10:00:00Z', value: 1 },
          { series: series.body.id, ts: '2025-06-14T10:15:00Z', value: 3 },
          { series: series.body.id, ts: '2025-06-14T10:05:00Z', value: 2 },
        ],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    const readings = await s.next((f) => f.type === 'msg' && f.topic === 'readings');
    expect(readings.data).toMatchObject({
      siteId: SITE,
      readings: [{ seriesId: series.body.id, key: 'grid/power', value: expect.any(Number) }],
    });
    expect(readings.data.readings[0].tsMs).toBe(Date.parse('2025-06-14T10:15:00Z'));

    await upsertEvents(t.app.db, [
      {
        siteId: SITE,
        kind: 'anomaly.gap',
        severity: 'warning',
        startMs: 0,
        endMs: 900_000,
        message: 'no data from the grid meter',
        dedupKey: `live-${seq}`,
      },
    ]);
    const created = await s.next((f) => f.type === 'msg' && f.topic === 'event');
    expect(created.data.event).toMatchObject({ kind: 'anomaly.gap', severity: 'warning', acknowledgedAt: null, atMs: expect.any(Number) });
    const ack = await call(t.base, 'POST', `/sites/${SITE}/events/${created.data.event.id}/ack`, { token: adminToken });
    expect(ack.status).toBe(200);
    const acked = await s.next((f) => f.type === 'msg' && f.topic === 'event' && f.data.event.acknowledgedAt !== null);
    expect(acked.data.event.id).toBe(created.data.event.id);
    expect(await metric('luna_ws_clients')).toBeGreaterThanOrEqual(1);
    expect(await metric('luna_ws_messages_sent_total')).toBeGreaterThan(0);
    s.ws.close();
  });

  it('publishes device state changes', async () => {
    const viewer = await newUser('viewer');
    const { s } = await subscribed(viewer.token, { subscribe: ['device'] });
    await t.app.devices.attach({
      id: 'live-bat',
      siteId: SITE,
      model: 'generic-modbus-battery',
      protocol: 'modbus',
      enabled: true,
      connection: { host: '127.0.0.1', port: 1 },
    });
    const m = await s.next((f) => f.type === 'msg' && f.topic === 'device' && f.data.deviceId === 'live-bat', 20_000);
    expect(m.data).toMatchObject({ siteId: SITE, deviceId: 'live-bat', state: expect.any(String), sinceMs: expect.any(Number) });
    s.ws.close();
  });
});

describe('heartbeat', () => {
  it('terminates a client that does not answer pings, and keeps one that does', async () => {
    const app = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN_PASSWORD, LUNA_LIVE_HEARTBEAT_S: '1' });
    try {
      const login = await call(app.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
      const admin = login.body.accessToken as string;
      expect((await call(app.base, 'POST', '/sites', { token: admin, body: { id: SITE, name: SITE } })).status).toBe(201);
      const url = `${app.base.replace(/^http/, 'ws')}/sites/${SITE}/live`;
      const mute = await openSocket(url, bearer(admin), { autoPong: false });
      const answering = await openSocket(url, bearer(admin));
      const closed = await mute.closed;
      expect(closed.code).toBe(1006); // terminated: no close frame
      expect(mute.frames.some((f) => f.type === 'heartbeat')).toBe(true);
      await answering.next((f) => f.type === 'heartbeat', 5_000, answering.frames.length);
      expect(answering.ws.readyState).toBe(answering.ws.OPEN);
      const text = (await call(app.base, 'GET', '/metrics')).body as string;
      expect(text).toMatch(/luna_ws_dropped_clients_total\{reason="heartbeat"[^}]*\} 1/);
      answering.ws.close();
    } finally {
      await app.close();
    }
  });
});
