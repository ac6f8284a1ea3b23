/**
 * Done-when (c): the control service in automatic operation on a simulated site — the real SunSpec
 * drivers over Modbus TCP to the simulator's inverters, PGlite for commands and audit — takes a
 * manual override and a §14a signal within one tick, and audits both. Overrides and signals come
 * from an in-memory ControlInputs (the contract of api/src/control/model.ts), so this test does
 * not depend on the inputs service's storage.
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessBus } from '../bus/index.js';
import { LIVE_TOPICS } from '../live/topics.js';
import { realTimeClock } from '../simulator/clock.js';
import { constantProfile } from '../simulator/profile.js';
import { startSimulator, type RunningSimulator } from '../simulator/runner.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { migrate, openPglite, type Database } from '../store/index.js';
import { tempDir } from '../test/services.js';
import type { ActivePlan, PlanSource } from './model.js';
import { ControlService } from './service.js';
import { linkSimulatedSite, type SimLink } from './sim-link.js';
import { constantPlan, MemoryInputs } from './testing.js';

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('control service on a simulated site (SunSpec over Modbus TCP, PGlite)', () => {
  const tmp = tempDir('luna-control-');
  let db: Database;
  let sim: RunningSimulator;
  let link: SimLink;
  let service: ControlService;
  const inputs = new MemoryInputs();
  const bus = inProcessBus();
  const live: { topic: string; msg: unknown }[] = [];
  const logs: string[] = [];
  const energy = siteEnergySchema.parse({
    ...DEMO_SITE_ENERGY,
    batteries: [{ ...DEMO_SITE_ENERGY.batteries[0]!, section14a: true, revertTimeoutS: 30 }],
    control: { tickMs: 1_000, staleAfterMs: 3_000 },
  });
  let plan: ActivePlan;
  let meterOn = true;

  beforeAll(async () => {
    db = await openPglite(join(tmp.dir, 'pglite'));
    await migrate(db);
    await db.query("insert into sites (id, name, automation_enabled) values ('demo', 'Demo', true)");
    const clock = realTimeClock(1);
    const feed: { meter?: SimLink['meter'] } = {};
    sim = await startSimulator({
      profile: constantProfile(300_000, 100_000),
      clock,
      models: shippedSunSpecModels(),
      tickMs: 200,
      modbus: { host: '127.0.0.1', port: 0 },
      onStep: (r) => (meterOn ? feed.meter?.(r.startMs, r.gridW) : undefined),
    });
    link = await linkSimulatedSite({ siteId: 'demo', port: sim.modbus!.port, now: clock.now, pollIntervalMs: 250 });
    feed.meter = link.meter;
    plan = constantPlan('demo', clock.now(), -100_000);
    const plans: PlanSource = { active: async (_s, nowMs) => (plan.steps.some((s) => s.startMs <= nowMs) ? plan : undefined) };
    for (const t of [LIVE_TOPICS.command, LIVE_TOPICS.agent]) bus.subscribe(t, (msg) => void live.push({ topic: t, msg }));
    service = new ControlService({
      db,
      log: {
        info: (_o: unknown, m?: string) => void logs.push(String(m)),
        warn: (_o: unknown, m?: string) => void logs.push(String(m)),
        error: (_o: unknown, m?: string) => void logs.push(String(m)),
      } as never,
      devices: link.devices,
      bus,
      registry: new Registry(),
      plans,
      inputs,
    });
    await service.start([{ siteId: 'demo', energy, clock, measurements: link.tap }]);
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await link?.stop();
    await sim?.stop();
    await db?.close();
    tmp.remove();
  });

  const commands = async (source: string) =>
    (
      await db.query<{ at: Date; written_w: number; clamped_by: unknown }>(
        'select at, written_w, clamped_by from control_commands where source = $1 order by id',
        [source],
      )
    ).rows;

  it('follows the plan: the simulated battery charges at the planned 100 kW, with the revert timeout written first', async () => {
    await until('the plan setpoint in the simulator', () => (sim.site.batterySetpointW === -100_000 ? true : undefined));
    const storCtl = sim.battery.layout.find((e) => e.id === 124)!;
    expect(sim.battery.readHolding(storCtl.address, 18)[15]).toBe(30); // InOutWRte_RvrtTms = the asset's revertTimeoutS
    expect((await commands('plan')).length).toBeGreaterThan(0);
    const st = service.status('demo')!;
    expect(st.agents.find((a) => a.assetId === 'battery')).toMatchObject({ mode: 'auto', setpointW: -100_000, watchdog: 'ok' });
    expect(st.planId).toBe(plan.id);
  });

  it('a manual override takes effect within one tick and is audited with the user', async () => {
    const setAt = sim.clock.now();
    inputs.overridesList.push({
      id: 'ov-1',
      siteId: 'demo',
      assetId: 'battery',
      setpointW: 200_000,
      createdAtMs: setAt,
      expiresAtMs: setAt + 600_000,
      userId: 'u-1',
      userName: 'olga',
    });
    inputs.changed('demo');
    await until('the override in the simulator', () => (sim.site.batterySetpointW === 200_000 ? true : undefined), 5_000);
    const manual = await commands('manual');
    expect(new Date(manual[0]!.at).getTime() - setAt).toBeLessThanOrEqual(energy.control.tickMs);
    const audit = await until('the audit entry', async () => {
      const { rows } = await db.query<{ actor_name: string; after: unknown }>(
        "select actor_name, after from audit_log where action = 'command.override_applied'",
      );
      return rows[0];
    });
    expect(audit.actor_name).toBe('olga');
    expect(JSON.stringify(audit.after)).toContain('"overrideId":"ov-1"');
    // audited once per override, not once per tick
    await new Promise((r) => setTimeout(r, 2_500));
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from audit_log where action = 'command.override_applied'");
    expect(rows[0]!.n).toBe(1);
    expect(live.some((l) => l.topic === LIVE_TOPICS.agent && (l.msg as { mode: string }).mode === 'override')).toBe(true);
  });

  it('a §14a signal during automatic operation limits charging within one tick and is audited', async () => {
    inputs.overridesList[0]!.releasedAtMs = sim.clock.now();
    inputs.changed('demo');
    await until('back to the plan', () => (sim.site.batterySetpointW === -100_000 ? true : undefined), 5_000);
    const setAt = sim.clock.now();
    inputs.signalsList.push({
      id: 'sig-1',
      siteId: 'demo',
      kind: 'section14a-dimming',
      fromMs: setAt,
      toMs: setAt + 600_000,
      maxControllablePowerW: 20_000,
      source: 'api',
      reference: 'DSO-4711',
      receivedAtMs: setAt,
    });
    inputs.changed('demo');
    await until('the dimmed setpoint in the simulator', () => (sim.site.batterySetpointW === -20_000 ? true : undefined), 5_000);
    const dimmed = await commands('grid-signal');
    expect(new Date(dimmed[0]!.at).getTime() - setAt).toBeLessThanOrEqual(energy.control.tickMs);
    const audit = await until('the audit entry', async () => {
      const { rows } = await db.query<{ actor_type: string; after: unknown }>(
        "select actor_type, after from audit_log where action = 'command.grid_signal_applied'",
      );
      return rows[0];
    });
    expect(audit.actor_type).toBe('system');
    expect(JSON.stringify(audit.after)).toContain('DSO-4711');
    expect(service.status('demo')!.agents.find((a) => a.assetId === 'battery')!.mode).toBe('grid-signal');
  });

  it('stale meter data stops automatic control: the agent says why and writes nothing (the revert timeout takes over: kill.test.ts)', async () => {
    inputs.signalsList[0]!.cancelledAtMs = sim.clock.now();
    inputs.changed('demo');
    meterOn = false; // the meter stops delivering
    await until(
      'the agent stopped',
      () => (service.status('demo')!.agents.find((a) => a.assetId === 'battery')!.mode === 'stopped' ? true : undefined),
      5_000,
    );
    expect(service.status('demo')!.agents.find((a) => a.assetId === 'battery')!.reason).toMatch(/stale data: grid meter/);
    await new Promise((r) => setTimeout(r, 1_100)); // a tick that was running when it stopped
    const before = (await db.query<{ n: number }>('select count(*)::int as n from control_commands')).rows[0]!.n;
    await new Promise((r) => setTimeout(r, 2_500));
    const after = (await db.query<{ n: number }>('select count(*)::int as n from control_commands')).rows[0]!.n;
    expect(after - before).toBe(0);
    expect(logs.some((l) => l.includes('control: demo/battery stopped: stale data: grid meter'))).toBe(true);
  });
});
