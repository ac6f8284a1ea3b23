/**
 * The demo site on the simulator in the running service (PGlite, embedded MQTT, 1 s interval):
 * live data through every real path — meters over MQTT ingest, inverters over Modbus/SunSpec
 * drivers — and the control agents' battery setpoint through the SunSpec write path.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { parseDemoCsv, powersAt } from './replay.js';
import type { SimulatedDemo } from './simulated.js';

const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));
const LIVE_KEYS = [
  'battery/power',
  'battery/soc',
  'grid/energy_export',
  'grid/energy_import',
  'grid/power',
  'load/power',
  'pv/power',
] as const;

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the demo site on the simulator (LUNA_DEMO=simulator, embedded MQTT)', () => {
  let t: TestApp;
  let startedAt: number;
  let sim: SimulatedDemo;
  beforeAll(async () => {
    startedAt = Date.now();
    t = await startTestApp({
      LUNA_DEMO: 'simulator',
      LUNA_DEMO_INTERVAL_S: '1',
      LUNA_MQTT: 'embedded',
      LUNA_MQTT_EMBEDDED_PORT: '0',
      LUNA_ADMIN_PASSWORD: 'Tessellate-Harbor-77',
    });
    sim = t.app.demo as SimulatedDemo;
  });
  afterAll(async () => t?.close());

  const q = async <T>(sql: string, params: unknown[] = []) => (await t.app.db.query<T>(sql, params)).rows;
  const live = (key: string) =>
    q<{ ts: Date | string; value: number }>(
      `select r.ts, r.value from readings r join series s on s.id = r.series_id
       where s.site_id = 'demo' and s.key = $1 and r.ts >= $2 order by r.ts`,
      [key, new Date(startedAt).toISOString()],
    );

  it('starts the simulator with its Modbus server, MQTT meters and two SunSpec drivers, and says so', () => {
    expect(sim.mode).toBe('simulator');
    expect(sim.meterPath).toBe('mqtt');
    expect(sim.simulator.modbus!.port).toBeGreaterThan(0);
    expect(sim.drivers.map((d) => d.config.id)).toEqual(['pv', 'battery']);
    expect(t.logs().some((l) => String(l.msg).startsWith('demo site: Musterwerk 2023 on the site simulator'))).toBe(true);
  });

  it('creates the demo series with their quantities', async () => {
    expect(await q("select key, quantity, semantics from series where site_id = 'demo' order by key")).toEqual([
      { key: 'battery/energy_discharged', quantity: 'energy', semantics: 'cumulative' },
      { key: 'battery/power', quantity: 'active_power', semantics: 'instantaneous' },
      { key: 'battery/soc', quantity: 'state_of_charge', semantics: 'instantaneous' },
      { key: 'grid/energy_export', quantity: 'energy_export', semantics: 'cumulative' },
      { key: 'grid/energy_import', quantity: 'energy_import', semantics: 'cumulative' },
      { key: 'grid/power', quantity: 'active_power', semantics: 'instantaneous' },
      { key: 'load/power', quantity: 'active_power', semantics: 'instantaneous' },
      { key: 'pv/energy', quantity: 'energy', semantics: 'cumulative' },
      { key: 'pv/power', quantity: 'active_power', semantics: 'instantaneous' },
    ]);
  });

  it('stores live readings of every path within seconds (meters over MQTT, inverters over Modbus/SunSpec)', async () => {
    for (const key of LIVE_KEYS) {
      await until(`a live ${key} reading`, async () => {
        await t.app.writer.flush();
        return (await live(key)).length > 0 ? true : undefined;
      });
    }
    for (const d of sim.drivers) {
      const h = d.health();
      expect(h.state, `${d.config.id}: ${JSON.stringify(h.lastError)}`).toBe('online');
      expect(h.lastValueMs).not.toBeNull();
    }
    expect(sim.drivers[0]!.health().detail).toMatchObject({
      baseAddress: 40_000,
      models: [{ id: 1 }, { id: 103 }, { id: 120 }, { id: 123 }],
    });
    // attached to the service's device layer (speed 1): listed with their health, not stored
    expect(t.app.devices.list('demo').map((e) => [e.config.id, e.config.model, e.stored, e.health.state])).toEqual([
      ['pv', 'sim-pv-inverter', false, 'online'],
      ['battery', 'sim-battery-inverter', false, 'online'],
    ]);
    expect(await q("select count(*)::int as n from devices where site_id = 'demo'")).toEqual([{ n: 0 }]);
  });

  it('meter readings are the physics: load/power is the demo year at the stamped time, grid = load − PV − battery of that step', async () => {
    const loads = await live('load/power');
    for (const r of loads) expect(r.value).toBe(powersAt(demo, new Date(r.ts).getTime()).loadW);
    // the simulator's last step, as the meter publishes it
    const last = sim.simulator.site.last!;
    expect(Math.abs(last.gridW - (last.loadW - last.pvW - last.batteryW))).toBeLessThan(1e-6);
  });

  it('PV readings polled over SunSpec are the simulated inverter output (100 W resolution of W_SF = 2)', async () => {
    const pv = await live('pv/power');
    expect(pv.length).toBeGreaterThan(0);
    for (const r of pv) {
      const available = powersAt(demo, new Date(r.ts).getTime()).pvW;
      // polled up to one tick after the step it shows; PV moves at most ~1 kW/s in the demo year
      expect(Math.abs(r.value - available)).toBeLessThan(2_000);
      expect(r.value % 100).toBe(0);
    }
  });

  it('the control agents write the battery setpoint through the SunSpec driver (124 StorCtl_Mod, OutWRte, the asset revert timeout) and store each command', async () => {
    // a write may fail while the service is still starting (recorded with its error, retried next tick)
    const cmd = await until('a successful control command for the battery', async () => {
      const rows = await q<{ source: string; result: string; revert_timeout_s: number; written_w: number }>(
        "select source, result, revert_timeout_s, written_w from control_commands where site_id = 'demo' and asset_id = 'battery' and result = 'ok' order by id desc limit 1",
      );
      return rows[0];
    });
    for (const f of await q<{ error: string | null }>("select error from control_commands where site_id = 'demo' and result = 'failed'"))
      expect(f.error).toMatch(/\S/);
    expect(cmd.revert_timeout_s).toBe(60);
    expect(sim.simulator.site.batterySetpointActive).toBe(true);
    const storCtl = sim.simulator.battery.layout.find((e) => e.id === 124)!;
    const regs = sim.simulator.battery.readHolding(storCtl.address, 18);
    expect(regs[5]).toBe(2); // StorCtl_Mod = DISCHARGE mode (OutWRte carries the signed setpoint)
    expect(regs[15]).toBe(60); // InOutWRte_RvrtTms = the battery asset's revertTimeoutS (simulated seconds at speed 1)
    // the demo site's automation was switched on at its first start, audited
    expect(await q("select automation_enabled from sites where id = 'demo'")).toEqual([{ automation_enabled: true }]);
    const status = t.app.control.service!.status('demo')!;
    expect(status.agents.find((a) => a.assetId === 'battery')).toMatchObject({ mode: 'auto', lastResult: 'ok' });
  });

  it('GET /sites/demo/control/commands and /control/agents show the commands (paged) and the agents', async () => {
    const token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Tessellate-Harbor-77' } })).body
      .accessToken;
    await until('three battery commands', async () => {
      const rows = await q<{ n: number }>(
        "select count(*)::int as n from control_commands where site_id = 'demo' and asset_id = 'battery'",
      );
      return rows[0]!.n >= 3 ? true : undefined;
    });
    const page = await call(t.base, 'GET', '/sites/demo/control/commands?limit=2&assetId=battery', { token });
    expect(page.status).toBe(200);
    expect(page.body.commands).toHaveLength(2);
    expect(page.body.commands[0]).toMatchObject({
      siteId: 'demo',
      assetId: 'battery',
      deviceId: 'battery',
      setpoint: 'power',
      revertTimeoutS: 60,
      result: 'ok',
    });
    expect(page.body.commands[0].id).toBeGreaterThan(page.body.commands[1].id);
    const next = await call(t.base, 'GET', `/sites/demo/control/commands?limit=2&beforeId=${page.body.nextBeforeId}`, { token });
    expect(next.body.commands[0].id).toBeLessThan(page.body.commands[1].id);
    const agents = await call(t.base, 'GET', '/sites/demo/control/agents', { token });
    expect(agents.status).toBe(200);
    expect(agents.body).toMatchObject({ siteId: 'demo', running: true, overdue: false });
    expect(agents.body.agents.map((a: { assetId: string }) => a.assetId).sort()).toEqual(['battery', 'pv']);
    const bad = await call(t.base, 'GET', '/sites/demo/control/commands?source=guess', { token });
    expect(bad.status).toBe(400);
  });
});

describe('the demo site on the simulator: a PV limit through the device layer', () => {
  it('writes 123 WMaxLimPct with its revert timeout and enable flag; the simulated inverter limits its output', async () => {
    const t = await startTestApp({ LUNA_DEMO: 'simulator', LUNA_DEMO_INTERVAL_S: '1' });
    try {
      const sim = t.app.demo as SimulatedDemo;
      await until('the PV inverter online', async () => (t.app.devices.get('demo', 'pv')?.health.state === 'online' ? true : undefined));
      const out = await t.app.devices.write('demo', 'pv', 'limit', 12.5, 30);
      expect(out).toMatchObject({ setpoint: 'limit', value: 12.5, raw: 125, revertTimeoutS: 30 });
      expect(sim.simulator.site.pvLimitPct).toBe(12.5);
      expect(sim.simulator.site.pvLimitActive).toBe(true);
      await sim.simulator.tick();
      expect(sim.simulator.site.last!.pvW).toBeLessThanOrEqual(93_750); // 12.5 % of 750 kW
    } finally {
      await t.close();
    }
  });
});

describe('the demo site on the simulator with LUNA_MQTT=off, at 60×', () => {
  it('hands the meter values to the ingest bus directly (fallback) and polls the inverters with its own drivers on the simulated clock', async () => {
    const t = await startTestApp({ LUNA_DEMO: 'simulator', LUNA_DEMO_INTERVAL_S: '1', LUNA_SIM_SPEED: '60' });
    try {
      const sim = t.app.demo as SimulatedDemo;
      expect(sim.meterPath).toBe('ingest-bus');
      expect(t.app.devices.list('demo')).toEqual([]); // not attached: the device layer stamps wall time, the simulator runs ahead
      expect(sim.simulator.clock.speed).toBe(60);
      const since = new Date(Date.now() - 1_000).toISOString();
      for (const key of ['grid/power', 'pv/power']) {
        await until(`${key} with MQTT off`, async () => {
          await t.app.writer.flush();
          const rows = await t.app.db.query<{ n: number }>(
            `select count(*)::int as n from readings r join series s on s.id = r.series_id where s.site_id = 'demo' and s.key = $1 and r.ts >= $2`,
            [key, since],
          );
          return rows.rows[0]!.n > 0 ? true : undefined;
        });
      }
    } finally {
      await t.close();
    }
  });
});
