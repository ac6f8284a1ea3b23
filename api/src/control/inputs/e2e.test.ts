/**
 * End to end on the demo site (site simulator, SunSpec inverters over Modbus TCP, the real control
 * agents): a manual override set over REST and a redispatch curtailment posted by the grid
 * operator's gateway (API key) are used by the very next agent tick after they were stored, and
 * are audited. No wall-clock assertions: "the next tick" is checked by order — the first command
 * for the asset stamped after the API answered (the agents' cache is updated before the answer)
 * carries the input's source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_TOPICS, type LiveCommand } from '../../live/topics.js';
import { DEMO_SITE_ENERGY } from '../../site-energy/model.js';
import { call, startTestApp, type TestApp } from '../../test/app.js';

const ADMIN = 'Sonnenstrom-2026!';

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('overrides and grid signals reach the control agents (demo site on the simulator)', () => {
  let t: TestApp;
  let admin = '';
  const commands: LiveCommand[] = [];

  beforeAll(async () => {
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: ADMIN, LUNA_DEMO: 'simulator', LUNA_DEMO_INTERVAL_S: '1', LUNA_CONTROL_TICK_MS: '500' });
    t.app.bus.subscribe(LIVE_TOPICS.command, (m) => void commands.push(m as LiveCommand));
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: ADMIN } })).body.accessToken;
    await until('the agents to write a first battery command', () => commands.some((c) => c.assetId === 'battery'), 60_000);
  }, 120_000);
  afterAll(async () => t?.close());

  it('a manual override is written on the next tick, with the user, and audited', async () => {
    const r = await call(t.base, 'PUT', '/sites/demo/overrides/battery', {
      token: admin,
      body: { setpointW: 123_000, expiresInS: 600, reason: 'e2e' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const answeredAt = Date.now(); // the cache the agents read is updated before the API answers
    const first = await until('a battery command after the override', () =>
      commands.find((c) => c.assetId === 'battery' && c.atMs > answeredAt),
    );
    expect(first).toMatchObject({ source: 'manual', requestedW: 123_000, userName: 'admin' });
    const audit = await call(t.base, 'GET', '/audit?action=override.set&limit=1', { token: admin });
    expect(audit.body[0]).toMatchObject({ actorName: 'admin', target: 'asset:demo/battery' });
    expect((await call(t.base, 'DELETE', '/sites/demo/overrides/battery', { token: admin })).status).toBe(200);
  });

  it('a §14a signal limits even a manual charge override of a §14a battery on the next tick (safety envelope)', async () => {
    const energy = { ...DEMO_SITE_ENERGY, batteries: DEMO_SITE_ENERGY.batteries.map((b) => ({ ...b, section14a: true })) };
    const put = await call(t.base, 'PUT', '/sites/demo/energy', { token: admin, body: energy });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // the route asks the agents to reload in the background; wait for a reload of our own to finish
    await t.app.control.reload('demo');
    const key = (await call(t.base, 'POST', '/api-keys', { token: admin, body: { name: 'dso-14a', siteId: 'demo', scopes: ['ingest'] } }))
      .body.secret;
    const signal = await call(t.base, 'POST', '/sites/demo/grid-signals', {
      token: key,
      body: {
        kind: 'section14a-dimming',
        to: new Date(Date.now() + 600_000).toISOString(),
        maxControllablePowerW: 50_000,
        reference: 'e2e-14a-1',
      },
    });
    expect(signal.status, JSON.stringify(signal.body)).toBe(201);
    const o = await call(t.base, 'PUT', '/sites/demo/overrides/battery', { token: admin, body: { setpointW: -300_000, expiresInS: 600 } });
    expect(o.status).toBe(200);
    const answeredAt = Date.now();
    const first = await until('a battery command after both', () => commands.find((c) => c.assetId === 'battery' && c.atMs > answeredAt));
    expect(first).toMatchObject({ source: 'manual', requestedW: -300_000 });
    expect(first.writtenW).toBeGreaterThanOrEqual(-50_000);
    expect(first.clampedBy).toContain('section14a');
    expect((await call(t.base, 'DELETE', '/sites/demo/overrides/battery', { token: admin })).status).toBe(200);
    expect((await call(t.base, 'DELETE', `/sites/demo/grid-signals/${signal.body.id}`, { token: key })).status).toBe(200);
  });

  it("a redispatch curtailment from the operator's gateway caps PV on the next tick", async () => {
    const key = (await call(t.base, 'POST', '/api-keys', { token: admin, body: { name: 'dso', siteId: 'demo', scopes: ['ingest'] } })).body
      .secret;
    const r = await call(t.base, 'POST', '/sites/demo/grid-signals', {
      token: key,
      body: {
        kind: 'redispatch-curtailment',
        to: new Date(Date.now() + 600_000).toISOString(),
        maxPvPowerW: 100_000,
        reference: 'e2e-rd-1',
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const answeredAt = Date.now();
    const first = await until('a PV command after the signal', () => commands.find((c) => c.assetId === 'pv' && c.atMs > answeredAt));
    expect(first.source).toBe('grid-signal');
    expect(first.writtenW).toBeLessThanOrEqual(100_000);
    const audit = await call(t.base, 'GET', '/audit?action=grid_signal.receive&limit=1', { token: admin });
    expect(audit.body[0]).toMatchObject({ actorType: 'api_key', actorName: 'dso' });
  });
});
