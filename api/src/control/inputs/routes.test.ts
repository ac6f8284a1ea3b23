/**
 * Overrides and grid signals through the running service: REST with real users and API keys,
 * audit, live bus, /metrics; and MQTT through the embedded aedes broker (Mosquitto: mqtt.test.ts).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../audit/index.js';
import { freePort } from '../../devices/test/pymodbus.js';
import { LIVE_TOPICS, type LiveOverride, type LiveSignal } from '../../live/topics.js';
import { DEMO_SITE_ENERGY } from '../../site-energy/model.js';
import { ensureSiteEnergy } from '../../site-energy/store.js';
import { call, startTestApp, type TestApp } from '../../test/app.js';

const ADMIN = 'Sonnenstrom-2026!';
const PASSWORD = 'Lastgang-Leistungspreis-15';
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('overrides and grid signals in the service', () => {
  let t: TestApp;
  let admin = '';
  let operator = '';
  let viewer = '';
  let ingestKey = '';
  const live: Array<{ topic: string; message: LiveOverride | LiveSignal }> = [];

  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN, LUNA_MQTT: 'embedded', LUNA_MQTT_EMBEDDED_PORT: String(await freePort()) });
    for (const topic of [LIVE_TOPICS.override, LIVE_TOPICS.signal])
      t.app.bus.subscribe(topic, (message) => void live.push({ topic, message: message as LiveOverride | LiveSignal }));
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk' } })).status).toBe(201);
    await ensureSiteEnergy(t.app.db, 'werk', DEMO_SITE_ENERGY, SYSTEM);
    for (const [name, role] of [
      ['olga', 'operator'],
      ['vera', 'viewer'],
    ] as const) {
      const r = await call(t.base, 'POST', '/users', {
        token: admin,
        body: { username: name, password: PASSWORD, roles: [{ siteId: 'werk', role }] },
      });
      expect(r.status).toBe(201);
    }
    operator = (await call(t.base, 'POST', '/auth/login', { body: { username: 'olga', password: PASSWORD } })).body.accessToken;
    viewer = (await call(t.base, 'POST', '/auth/login', { body: { username: 'vera', password: PASSWORD } })).body.accessToken;
    ingestKey = (
      await call(t.base, 'POST', '/api-keys', { token: admin, body: { name: 'dso-gateway', siteId: 'werk', scopes: ['ingest'] } })
    ).body.secret;
  }, 60_000);
  afterAll(async () => t?.close());

  describe('manual overrides', () => {
    it('an operator sets one: in force for the agents at once, visible to viewers, audited with the user, live', async () => {
      const r = await call(t.base, 'PUT', '/sites/werk/overrides/battery', {
        token: operator,
        body: { setpointW: -300_000, expiresInS: 900, reason: 'Netzbetreiber-Test' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ assetId: 'battery', setpointW: -300_000, userName: 'olga', reason: 'Netzbetreiber-Test' });
      // the very next agent tick sees it (ControlInputs is read synchronously from the cache)
      expect(t.app.controlInputs.overrides('werk', Date.now()).map((o) => o.id)).toEqual([r.body.id]);
      const list = await call(t.base, 'GET', '/sites/werk/overrides', { token: viewer });
      expect(list.status).toBe(200);
      expect(list.body.active.map((o: { id: string }) => o.id)).toEqual([r.body.id]);
      const audit = await call(t.base, 'GET', '/audit?action=override.*&limit=5', { token: admin });
      expect(audit.body[0]).toMatchObject({ action: 'override.set', actorName: 'olga', target: 'asset:werk/battery' });
      expect(live.at(-1)).toMatchObject({
        topic: LIVE_TOPICS.override,
        message: { siteId: 'werk', change: 'set', override: { id: r.body.id } },
      });
    });

    it.each([
      [
        'outside the range',
        { setpointW: 600_000, expiresInS: 60 },
        400,
        /setpointW: 600000 W is above the physical range of battery battery: .*maxDischargeW 500000 W/,
      ],
      ['without expiry', { setpointW: 1000 }, 400, /expiresInS: an expiry is required/],
      ['longer than 24 h', { setpointW: 1000, expiresInS: 90_000 }, 400, /expiresInS: must be a whole number of seconds, 1 … 86400/],
    ])('refuses a setpoint %s with the field and limit', async (_name, body, status, message) => {
      const r = await call(t.base, 'PUT', '/sites/werk/overrides/battery', { token: operator, body });
      expect(r.status).toBe(status);
      expect(r.body.message).toMatch(message);
    });

    it('refuses an unknown asset (404) and viewers (403)', async () => {
      const a = await call(t.base, 'PUT', '/sites/werk/overrides/heatpump', { token: operator, body: { setpointW: 0, expiresInS: 60 } });
      expect([a.status, a.body.message]).toEqual([404, expect.stringContaining('no asset "heatpump"')]);
      const v = await call(t.base, 'PUT', '/sites/werk/overrides/battery', { token: viewer, body: { setpointW: 0, expiresInS: 60 } });
      expect(v.status).toBe(403);
    });

    it('hands the asset back to automation; a second release is 404', async () => {
      const r = await call(t.base, 'DELETE', '/sites/werk/overrides/battery', { token: operator });
      expect(r.status).toBe(200);
      expect(r.body.releasedAtMs).toBeGreaterThan(0);
      expect(t.app.controlInputs.overrides('werk', Date.now())).toEqual([]);
      expect(live.at(-1)?.message).toMatchObject({ change: 'released' });
      expect((await call(t.base, 'DELETE', '/sites/werk/overrides/battery', { token: operator })).status).toBe(404);
    });
  });

  describe('grid signals over the API', () => {
    let id = '';
    const body = () => ({ kind: 'section14a-dimming', to: inOneHour(), maxControllablePowerW: 8400, reference: 'SNB-2026-0001' });

    it("the grid operator's gateway (ingest key) sends a §14a signal: stored, in force, audited, live", async () => {
      const r = await call(t.base, 'POST', '/sites/werk/grid-signals', { token: ingestKey, body: body() });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ kind: 'section14a-dimming', maxControllablePowerW: 8400, source: 'api', reference: 'SNB-2026-0001' });
      id = r.body.id;
      expect(t.app.controlInputs.signals('werk', Date.now()).map((s) => s.id)).toEqual([id]);
      const audit = await call(t.base, 'GET', '/audit?action=grid_signal.*&limit=5', { token: admin });
      expect(audit.body[0]).toMatchObject({ action: 'grid_signal.receive', actorType: 'api_key', actorName: 'dso-gateway' });
      expect(live.at(-1)).toMatchObject({ topic: LIVE_TOPICS.signal, message: { change: 'received', signal: { id } } });
    });

    it('a repeated delivery is idempotent (200, the same signal); other content under the reference is 409', async () => {
      const stored = t.app.controlInputs.signals('werk', Date.now())[0]!;
      const dup = await call(t.base, 'POST', '/sites/werk/grid-signals', {
        token: ingestKey,
        body: { ...body(), to: new Date(stored.toMs).toISOString() },
      });
      expect([dup.status, dup.body.id]).toEqual([200, id]);
      const conflict = await call(t.base, 'POST', '/sites/werk/grid-signals', {
        token: ingestKey,
        body: { ...body(), to: new Date(stored.toMs).toISOString(), maxControllablePowerW: 4200 },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.message).toContain('maxControllablePowerW');
      expect((await call(t.base, 'GET', '/sites/werk/grid-signals', { token: viewer })).body).toHaveLength(1);
    });

    it('refuses a bad signal naming every field; operators cannot send signals (ingest)', async () => {
      const bad = await call(t.base, 'POST', '/sites/werk/grid-signals', {
        token: ingestKey,
        body: { kind: 'redispatch-curtailment', from: inOneHour(), to: new Date(Date.now() + 60_000).toISOString(), maxPvPowerW: -5 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/to: must be after from.*maxPvPowerW: must be ≥ 0 W, got -5/);
      const op = await call(t.base, 'POST', '/sites/werk/grid-signals', { token: operator, body: body() });
      expect(op.status).toBe(403);
    });

    it('the gateway cancels it: no longer in force, listed as cancelled, audited', async () => {
      const r = await call(t.base, 'DELETE', `/sites/werk/grid-signals/${id}`, { token: ingestKey });
      expect(r.status).toBe(200);
      expect(r.body.cancelledAtMs).toBeGreaterThan(0);
      expect(t.app.controlInputs.signals('werk', Date.now())).toEqual([]);
      const list = await call(t.base, 'GET', '/sites/werk/grid-signals', { token: viewer });
      expect(list.body[0]).toMatchObject({ id, cancelledAtMs: r.body.cancelledAtMs });
      expect((await call(t.base, 'DELETE', '/sites/werk/grid-signals/nope', { token: ingestKey })).status).toBe(404);
    });

    it('counts signals and active overrides in /metrics', async () => {
      const m = await call(t.base, 'GET', '/metrics');
      expect(m.body).toMatch(/luna_grid_signals_total\{[^}]*kind="section14a-dimming",source="api"[^}]*\} 1\b/);
      expect(m.body).toMatch(/luna_overrides_active\{[^}]*\} 0\b/);
    });
  });

  describe('grid signals over MQTT (embedded aedes broker)', () => {
    let client: MqttClient;
    const out: Array<{ topic: string; body: any }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any

    beforeAll(async () => {
      await until('the grid signal subscriber', () => t.logs().some((l) => String(l.msg).includes('grid signals: listening')));
      client = await mqtt.connectAsync(t.app.mqtt.clientUrl!, { reconnectPeriod: 0 });
      client.on('message', (topic, payload) => out.push({ topic, body: JSON.parse(payload.toString()) }));
      await client.subscribeAsync('luna/+/grid-signal/+', { qos: 1 });
    });
    afterAll(async () => client?.endAsync());

    it('bad payloads are refused on …/error naming the field; the valid order behind them is stored', async () => {
      await client.publishAsync('luna/werk/grid-signal', 'not json', { qos: 1 });
      await client.publishAsync(
        'luna/werk/grid-signal',
        JSON.stringify({ kind: 'redispatch-activation', to: inOneHour(), reference: 'RD-7' }),
        { qos: 1 },
      );
      await client.publishAsync(
        'luna/nosuch/grid-signal',
        JSON.stringify({ kind: 'section14a-dimming', to: inOneHour(), maxControllablePowerW: 1 }),
        { qos: 1 },
      );
      await client.publishAsync(
        'luna/werk/grid-signal',
        JSON.stringify({ kind: 'redispatch-curtailment', to: inOneHour(), maxPvPowerW: 200_000, maxExportPowerW: 0, reference: 'RD-8' }),
        { qos: 1 },
      );
      const ack = await until('the ack', () => out.find((m) => m.topic === 'luna/werk/grid-signal/ack'));
      expect(ack.body).toMatchObject({ reference: 'RD-8', kind: 'redispatch-curtailment', duplicate: false, change: 'received' });
      const errors = out.filter((m) => m.topic.endsWith('/error'));
      expect(errors.map((e) => [e.topic, e.body.error])).toEqual([
        ['luna/werk/grid-signal/error', 'invalid_json'],
        ['luna/werk/grid-signal/error', 'invalid_signal'],
        ['luna/nosuch/grid-signal/error', 'unknown_site'],
      ]);
      expect(errors[1]!.body).toMatchObject({ reference: 'RD-7', errors: ['targetGridW: is required for redispatch-activation'] });
      expect(errors[0]!.body.errors[0]).toMatch(/^payload: not JSON/);
      const inForce = t.app.controlInputs.signals('werk', Date.now());
      expect(inForce.map((s) => [s.source, s.reference, s.maxPvPowerW, s.maxExportPowerW])).toEqual([['mqtt', 'RD-8', 200_000, 0]]);
      expect(t.logs().some((l) => String(l.msg).includes('grid signal on luna/werk/grid-signal refused: targetGridW: is required'))).toBe(
        true,
      );
    });

    it('cancels by reference over MQTT', async () => {
      out.length = 0;
      await client.publishAsync('luna/werk/grid-signal', JSON.stringify({ cancel: 'RD-8' }), { qos: 1 });
      const ack = await until('the ack', () => out.find((m) => m.topic === 'luna/werk/grid-signal/ack'));
      expect(ack.body).toMatchObject({ reference: 'RD-8', change: 'cancelled' });
      expect(t.app.controlInputs.signals('werk', Date.now())).toEqual([]);
    });
  });
});
