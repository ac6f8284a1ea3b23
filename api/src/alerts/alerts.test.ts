/**
 * Alerts end to end on the real stores: rules over the API (validation, dry run, audit), the
 * service evaluating readings/events/devices with a stepped clock, de-duplication, the live bus,
 * acknowledgement, resolution, and webhook delivery (HMAC-signed) with retries to a local HTTP server.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { upsertEvents } from '../events/store.js';
import { LIVE_TOPICS, type LiveAlert } from '../live/topics.js';
import { createLogger } from '../ops/logger.js';
import { call, startTestAppOn, STORES, type TestApp } from '../test/app.js';
import { verifyWebhook, SIGNATURE_HEADER } from './delivery/webhook.js';
import { AlertService } from './service.js';
import { listAlerts, listDeliveries } from './store.js';

const PASSWORD = 'Alarm-Quittung-2026!';
const silent = createLogger('silent');
const SECRET = 'whsec-test-1234';

interface Received {
  body: string;
  signature: string | undefined;
}

/** A local HTTP receiver that answers the first `failFirst` posts with 503. */
async function webhookReceiver(failFirst: number): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      n++;
      if (n <= failFirst) {
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/luna`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(STORES)('alerts on $store', ({ store, skip }) => {
  let t: TestApp;
  let admin = '';
  let gridSeries = 0;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const live: LiveAlert[] = [];

  beforeAll(async () => {
    if (skip) return;
    hook = await webhookReceiver(1);
    t = await startTestAppOn(store, {
      LUNA_ADMIN_PASSWORD: PASSWORD,
      LUNA_ANOMALY_SCAN: 'off',
      LUNA_FORECASTS: 'off',
      LUNA_ALERT_INTERVAL_S: '86400',
      LUNA_ALERT_WEBHOOK_URL: hook.url,
      LUNA_ALERT_WEBHOOK_SECRET: SECRET,
    });
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect(
      (await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk', timeZone: 'Europe/Berlin' } })).status,
    ).toBe(201);
    gridSeries = (
      await call(t.base, 'POST', '/sites/werk/series', {
        token: admin,
        body: { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
      })
    ).body.id;
    t.app.bus.subscribe(LIVE_TOPICS.alert, (m) => void live.push(m as LiveAlert));
    // the test steps evaluations itself: no timer- or bus-triggered ones from the app's own service in between
    t.app.alerts.service.stopTriggers();
  });
  afterAll(async () => {
    if (skip) return;
    await t.close();
    await hook.close();
  });

  const ingest = async (points: Array<[number, number]>) => {
    const r = await call(t.base, 'POST', '/ingest/readings', {
      token: admin,
      body: { siteId: 'werk', readings: points.map(([ts, value]) => ({ series: gridSeries, ts: new Date(ts).toISOString(), value })) },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  it.skipIf(skip)('a site starts with the built-in rules; invalid rule sets are refused naming rule and field, nothing saved', async () => {
    const r = await call(t.base, 'GET', '/sites/werk/alert-rules', { token: admin });
    expect(r.status).toBe(200);
    expect(r.body.builtIn).toBe(true);
    expect(r.body.rules.map((x: { id: string }) => x.id)).toEqual(['device-offline', 'peak-at-risk', 'anomaly-critical']);
    const bad = await call(t.base, 'PUT', '/sites/werk/alert-rules', {
      token: admin,
      body: {
        rules: [
          { id: 'grid-high', kind: 'threshold', name: 'Grid high', severity: 'warning', seriesKey: 'grid/power', op: '>', value: 5e5 },
          { id: 'x', kind: 'threshold', name: 'x', severity: 'warning', seriesKey: 'grid/power', op: '>', value: 'viel' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_alert_rules');
    expect(bad.body.message).toContain('rules[1].value');
    expect((await call(t.base, 'GET', '/sites/werk/alert-rules', { token: admin })).body.builtIn).toBe(true);
    expect((await call(t.base, 'GET', '/sites/nowhere/alert-rules', { token: admin })).status).toBe(404);
  });

  it.skipIf(skip)('fires once per rule and subject, counts repeats, publishes live, delivers a signed webhook after a retry', async () => {
    const now = Date.now();
    await ingest([
      [now - 20_000, 450_000],
      [now - 5_000, 620_000],
    ]);
    const rules = [
      {
        id: 'grid-high',
        kind: 'threshold',
        name: 'Grid import high',
        severity: 'warning',
        seriesKey: 'grid/power',
        op: '>',
        value: 500_000,
        channels: ['dashboard', 'webhook'],
      },
    ];
    const dry = await call(t.base, 'PUT', '/sites/werk/alert-rules?dryRun=true', { token: admin, body: { rules } });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.wouldFire).toMatchObject([{ ruleId: 'grid-high', subject: 'series:grid/power', value: 620_000 }]);
    expect((await call(t.base, 'GET', '/sites/werk/alert-rules', { token: admin })).body.builtIn).toBe(true);

    const put = await call(t.base, 'PUT', '/sites/werk/alert-rules', { token: admin, body: { rules } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ builtIn: false, updatedBy: 'admin' });
    const audit = await call(t.base, 'GET', '/audit?action=alert-rules.update', { token: admin });
    expect(audit.body.some((e: { action: string }) => e.action === 'alert-rules.update')).toBe(true);

    const svc = t.app.alerts.service;
    const first = await svc.evaluateSite('werk');
    const second = await svc.evaluateSite('werk');
    const open = (await listAlerts(t.app.db, { siteId: 'werk', states: ['firing', 'acknowledged'] })).filter(
      (a) => a.ruleId === 'grid-high',
    );
    expect(open).toHaveLength(1);
    expect(first.fired).toHaveLength(1);
    expect(second.fired).toHaveLength(0);
    expect(second.repeated).toBe(1);
    expect(open[0]!.repeatCount).toBe(1);
    expect(open[0]).toMatchObject({ state: 'firing', severity: 'warning', value: 620_000, subject: 'series:grid/power' });
    expect(live.some((m) => m.siteId === 'werk' && m.alert.id === open[0]!.id && m.alert.state === 'firing')).toBe(true);

    // webhook: first post answered 503 → recorded and retried later; nothing lost
    await svc.processDeliveries();
    let [d] = await listDeliveries(t.app.db, [open[0]!.id]);
    expect(d).toMatchObject({ channel: 'webhook', reason: 'firing', status: 'pending', attempts: 1 });
    expect(d!.lastError).toContain('503');
    expect(Date.parse(d!.nextAttemptAt)).toBeGreaterThan(Date.now());
    // jump the backoff: due a second ago (PostgreSQL's now() has µs, the service's clock ms — "now" could still lie ahead of it)
    await t.app.db.query("update alert_deliveries set next_attempt_at = now() - interval '1 second' where id = $1", [d!.id]);
    await svc.processDeliveries();
    [d] = await listDeliveries(t.app.db, [open[0]!.id]);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(hook.received).toHaveLength(1);
    const got = hook.received[0]!;
    expect(verifyWebhook(SECRET, got.body, got.signature ?? '', Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhook('wrong-secret', got.body, got.signature ?? '', Math.floor(Date.now() / 1000))).toBe(false);
    expect(JSON.parse(got.body)).toMatchObject({
      type: 'luna.alert',
      reason: 'firing',
      siteId: 'werk',
      alert: { id: open[0]!.id, ruleId: 'grid-high' },
    });
  });

  it.skipIf(skip)(
    'acknowledge (audited, idempotent), then resolve when the condition clears; a new occurrence is a new alert',
    async () => {
      const [a] = await listAlerts(t.app.db, { siteId: 'werk', states: ['firing'], ruleId: 'grid-high' });
      const ack = await call(t.base, 'POST', `/sites/werk/alerts/${a!.id}/ack`, { token: admin });
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
      const again = await call(t.base, 'POST', `/sites/werk/alerts/${a!.id}/ack`, { token: admin });
      expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
      const audit = await call(t.base, 'GET', '/audit?action=alert.acknowledge', { token: admin });
      expect(audit.body.filter((e: { target: string }) => e.target === `alert:${a!.id}`)).toHaveLength(1);
      expect(live.some((m) => m.alert.id === a!.id && m.alert.state === 'acknowledged')).toBe(true);
      expect((await call(t.base, 'POST', `/sites/werk/alerts/00000000-0000-4000-8000-000000000000/ack`, { token: admin })).status).toBe(
        404,
      );

      // still above: stays acknowledged (no new alert); then the import drops
      await t.app.alerts.service.evaluateSite('werk');
      expect((await listAlerts(t.app.db, { siteId: 'werk', states: ['firing', 'acknowledged'] })).map((x) => x.state)).toEqual([
        'acknowledged',
      ]);
      await ingest([[Date.now() - 1_000, 300_000]]);
      const r = await t.app.alerts.service.evaluateSite('werk');
      expect(r.resolved.map((x) => x.id)).toEqual([a!.id]);
      const history = await call(t.base, 'GET', '/sites/werk/alerts?state=resolved', { token: admin });
      expect(history.body[0]).toMatchObject({ id: a!.id, state: 'resolved', acknowledgedBy: 'admin' });
      expect(history.body[0].deliveries.map((x: { reason: string }) => x.reason)).toEqual(['firing', 'acknowledged', 'resolved']);
      expect(live.some((m) => m.alert.id === a!.id && m.alert.state === 'resolved')).toBe(true);

      await ingest([[Date.now() - 500, 700_000]]);
      const next = await t.app.alerts.service.evaluateSite('werk');
      expect(next.fired).toHaveLength(1);
      expect(next.fired[0]!.id).not.toBe(a!.id);
      expect((await call(t.base, 'GET', '/sites/werk/alerts?state=bogus', { token: admin })).status).toBe(400);
    },
  );

  it.skipIf(skip)(
    'bus messages trigger evaluation: anomaly events and offline devices fire; a dead webhook is retried, recorded, the alert kept',
    async () => {
      let clock = Date.now();
      const svc = new AlertService({
        db: t.app.db,
        bus: t.app.bus,
        log: silent,
        now: () => clock,
        intervalMs: 0,
        deliveryIntervalMs: 0,
        maxAttempts: 3,
        retryBaseMs: 1_000,
        webhook: { url: 'http://127.0.0.1:9/closed', timeoutMs: 2_000 },
        devices: () => [
          { deviceId: 'battery', state: 'offline', sinceMs: clock - 300_000 },
          { deviceId: 'pv', state: 'online', sinceMs: clock - 300_000 },
        ],
      });
      svc.start();
      try {
        await call(t.base, 'PUT', '/sites/werk/alert-rules', {
          token: admin,
          body: {
            rules: [
              { id: 'offline', kind: 'device-offline', name: 'Device offline', severity: 'warning', afterS: 120, channels: ['webhook'] },
              { id: 'anomalies', kind: 'anomaly', name: 'Anomaly', severity: 'warning', minSeverity: 'warning', channels: ['dashboard'] },
            ],
          },
        });
        await upsertEvents(t.app.db, [
          {
            siteId: 'werk',
            kind: 'anomaly.flatline',
            severity: 'critical',
            startMs: clock - 3_600_000,
            endMs: clock - 60_000,
            message: 'meter stuck',
            dedupKey: 'flat:1',
          },
          {
            siteId: 'werk',
            kind: 'anomaly.gap',
            severity: 'info',
            startMs: clock - 3_600_000,
            endMs: clock - 60_000,
            message: 'small gap',
            dedupKey: 'gap:1',
          },
        ]);
        // a device state change on the live bus makes the service evaluate the site
        await t.app.bus.publish(LIVE_TOPICS.device, {
          siteId: 'werk',
          deviceId: 'battery',
          state: 'offline',
          sinceMs: clock - 300_000,
          lastValueMs: null,
        });
        let open: Awaited<ReturnType<typeof listAlerts>> = [];
        const settled = () =>
          ['anomalies', 'offline'].every((r) => open.some((a) => a.ruleId === r)) && !open.some((a) => a.ruleId === 'grid-high');
        for (let i = 0; i < 100 && !settled(); i++) {
          await new Promise((r) => setTimeout(r, 100));
          open = await listAlerts(t.app.db, { siteId: 'werk', states: ['firing'] });
        }
        expect(open.map((a) => [a.ruleId, a.subject, a.severity]).sort()).toEqual([
          ['anomalies', expect.stringMatching(/^event:\d+$/), 'critical'],
          ['offline', 'device:battery', 'warning'],
        ]);
        // the grid-high alert of the removed rule is resolved
        expect((await listAlerts(t.app.db, { siteId: 'werk', ruleId: 'grid-high', states: ['firing', 'acknowledged'] })).length).toBe(0);
        const offline = open.find((a) => a.ruleId === 'offline')!;
        for (let i = 0; i < 3; i++) {
          await svc.processDeliveries();
          clock += 10_000; // past every backoff
        }
        const [d] = await listDeliveries(t.app.db, [offline.id]);
        expect(d).toMatchObject({ status: 'failed', attempts: 3 });
        expect(d!.lastError).toBeTruthy();
        expect((await listAlerts(t.app.db, { siteId: 'werk', states: ['firing'] })).map((a) => a.id)).toContain(offline.id);
      } finally {
        await svc.stop();
      }
    },
  );

  it.skipIf(skip)('re-notifies a firing alert every renotifyS until it is acknowledged', async () => {
    let clock = Date.now();
    const svc = new AlertService({
      db: t.app.db,
      bus: t.app.bus,
      log: silent,
      now: () => clock,
      intervalMs: 0,
      deliveryIntervalMs: 0,
      webhook: { url: hook.url, secret: SECRET },
    });
    try {
      await ingest([[clock - 1_000, 720_000]]);
      await call(t.base, 'PUT', '/sites/werk/alert-rules', {
        token: admin,
        body: {
          rules: [
            {
              id: 'grid-renotify',
              kind: 'threshold',
              name: 'Grid high',
              severity: 'warning',
              seriesKey: 'grid/power',
              op: '>',
              value: 500_000,
              renotifyS: 60,
              channels: ['webhook'],
            },
          ],
        },
      });
      const [a] = (await svc.evaluateSite('werk')).fired;
      const reasons = async () => (await listDeliveries(t.app.db, [a!.id])).map((d) => d.reason);
      clock += 30_000;
      await svc.evaluateSite('werk');
      expect(await reasons()).toEqual(['firing']);
      clock += 31_000;
      await svc.evaluateSite('werk');
      expect(await reasons()).toEqual(['firing', 'renotify']);
      expect((await call(t.base, 'POST', `/sites/werk/alerts/${a!.id}/ack`, { token: admin })).status).toBe(200);
      clock += 120_000;
      await svc.evaluateSite('werk');
      expect(await reasons()).toEqual(['firing', 'renotify', 'acknowledged']);
      const [now] = await listAlerts(t.app.db, { siteId: 'werk', ruleId: 'grid-renotify' });
      expect(now).toMatchObject({ state: 'acknowledged', notifyCount: 2, repeatCount: 3 });
    } finally {
      await svc.stop();
    }
  });

  it.skipIf(skip)(
    'peak at risk on real load: fires above the month’s quarter-hour peak so far, not below a higher plan target',
    async () => {
      // 15-minute means of the demo's real measured load (kW → W), 1–19 January 2023, as the grid import
      const rows = readFileSync(DEMO_DATA_FILE, 'utf8').trim().split('\n').slice(1);
      const from = Date.parse('2022-12-31T23:00:00Z');
      const nowMs = Date.parse('2023-01-19T10:06:00Z');
      const quarter = Date.parse('2023-01-19T10:00:00Z');
      const points = rows
        .map((r) => r.split(','))
        .map(([ts, kw]) => ({ tsMs: Date.parse(ts!), value: Number(kw) * 1000 }))
        .filter((p) => p.tsMs >= from && p.tsMs < quarter);
      const peakSoFar = Math.max(...points.map((p) => p.value));
      await t.app.writer.enqueue(points.map((p) => ({ seriesId: gridSeries, tsMs: p.tsMs, value: p.value, quality: 'measured' as const })));
      // this quarter hour so far: 6 minutes 12 % above the peak
      await t.app.writer.enqueue(
        Array.from({ length: 6 }, (_, i) => ({
          seriesId: gridSeries,
          tsMs: quarter + i * 60_000,
          value: peakSoFar * 1.12,
          quality: 'measured' as const,
        })),
      );
      await t.app.writer.sync();
      let target: number | undefined;
      const svc = new AlertService({
        db: t.app.db,
        bus: t.app.bus,
        log: silent,
        now: () => nowMs,
        intervalMs: 0,
        deliveryIntervalMs: 0,
        peakTargetW: async () => target,
      });
      try {
        await call(t.base, 'PUT', '/sites/werk/alert-rules', {
          token: admin,
          body: { rules: [{ id: 'peak', kind: 'peak-at-risk', name: 'Peak at risk', severity: 'critical' }] },
        });
        const r = await svc.evaluateSite('werk');
        expect(r.fired).toHaveLength(1);
        expect(r.fired[0]!.value).toBeCloseTo(peakSoFar * 1.12, -1);
        expect(r.fired[0]!.message).toContain('period peak so far');
        target = peakSoFar * 1.2; // the plan allows more: the condition clears
        expect((await svc.evaluateSite('werk')).resolved).toHaveLength(1);
      } finally {
        await svc.stop();
      }
    },
  );
});
