/**
 * Done-when (b): Luna's control runs in a child process (kill-child.ts) against the simulator in
 * this process — SunSpec over Modbus TCP, the simulator's meter over MQTT (the embedded broker),
 * plans and commands in PostgreSQL. The child is SIGKILLed while the battery discharges: the
 * simulated inverter must fall back (idle) after its revert timeout, by the simulator's own
 * StepRecords; a new child must resume from the stored plan and drive the battery again.
 * The simulator runs at 10× (revert timeout 60 simulated s = 6 wall s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedBroker } from '../mqtt/index.js';
import { PlanStore } from '../planning/store.js';
import { realTimeClock } from '../simulator/clock.js';
import { constantProfile } from '../simulator/profile.js';
import { startSimulator, type RunningSimulator } from '../simulator/runner.js';
import type { StepRecord } from '../simulator/site.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import { migrate, openPostgres, type Database } from '../store/index.js';
import { freshPostgresDatabase, services } from '../test/services.js';
import { constantPlan } from './testing.js';

const CHILD = fileURLToPath(new URL('./kill-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SPEED = 10;
const PREFIX = 'luna-sim/kill';

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!services.postgres)(
  'kill test: Luna SIGKILLed mid-discharge, the inverter falls back, a restart resumes from the stored plan',
  () => {
    let dbUrl: { url: string; drop: () => Promise<void> };
    let db: Database;
    const broker = embeddedBroker({ adapter: 'embedded', host: '127.0.0.1', port: 0 });
    let sim: RunningSimulator;
    const steps: StepRecord[] = [];
    const children: ChildProcess[] = [];
    let simStart = 0;
    let wallStart = 0;
    let planId = '';

    const startChild = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        cwd: REPO,
        env: {
          ...process.env,
          KILL_DB_URL: dbUrl.url,
          KILL_SIM_PORT: String(sim.modbus!.port),
          KILL_MQTT_URL: broker.clientUrl!,
          KILL_PREFIX: PREFIX,
          KILL_SIM_START_MS: String(simStart),
          KILL_WALL_START_MS: String(wallStart),
          KILL_SPEED: String(SPEED),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      children.push(child);
      return { child, out: () => out, exit: new Promise<void>((r) => child.once('exit', () => r())) };
    };

    beforeAll(async () => {
      dbUrl = await freshPostgresDatabase(services.postgres!);
      db = await openPostgres(dbUrl.url, 2);
      await migrate(db);
      await db.query("insert into sites (id, name, automation_enabled) values ('demo', 'Demo', true)");
      await broker.start();
      wallStart = Date.now();
      simStart = wallStart;
      const clock = realTimeClock(SPEED, { startMs: simStart, wall: Date.now });
      // the child's clock is simStart + (now − wallStart) × speed: the same as this one
      sim = await startSimulator({
        profile: constantProfile(300_000, 0),
        clock,
        models: shippedSunSpecModels(),
        tickMs: 100,
        maxStepMs: 1_000,
        modbus: { host: '127.0.0.1', port: 0 },
        mqtt: { url: broker.clientUrl!, prefix: PREFIX },
        meterIntervalMs: 100,
        onStep: (r) => void steps.push(r),
      });
      const plan = constantPlan('demo', simStart, 200_000, 8);
      planId = (
        await new PlanStore(db).insert({
          ...plan,
          id: 'kill-test-plan',
          status: 'optimal',
          horizonStartMs: plan.steps[0]!.startMs,
          horizonEndMs: plan.steps[plan.steps.length - 1]!.startMs + 900_000,
          cost: null,
          problems: [],
          inputs: {},
          solveMs: 1,
        })
      ).id;
    }, 60_000);

    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await sim?.stop();
      await broker.close?.();
      await db?.close();
      await dbUrl?.drop();
    });

    it('falls back after the revert timeout and resumes from the stored plan', async () => {
      const first = startChild();
      // automatic operation: the battery discharges at the plan's 200 kW
      await until('the battery discharging at the planned 200 kW', () =>
        sim.site.batterySetpointW === 200_000 && (sim.site.last?.batteryW ?? 0) > 199_000 ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // a few more ticks of renewals
      first.child.kill('SIGKILL');
      await first.exit;
      const killedAtSim = sim.clock.now();
      const { rows } = await db.query<{ at: Date; revert_timeout_s: number }>(
        "select at, revert_timeout_s from control_commands where asset_id = 'battery' and result = 'ok' order by at desc limit 1",
      );
      const lastWriteMs = new Date(rows[0]!.at).getTime();
      const revertMs = rows[0]!.revert_timeout_s * 1000;
      expect(revertMs).toBe(60_000);
      expect(killedAtSim - lastWriteMs).toBeLessThan(revertMs); // killed while the setpoint was in force

      // the simulator's own record: the revert fires at the first step at/after the last write + timeout
      const reverted = await until(
        'the revert',
        () => steps.find((s) => s.reverted.includes('battery') && s.startMs > lastWriteMs),
        20_000,
      );
      expect(reverted.startMs).toBeGreaterThanOrEqual(lastWriteMs + revertMs - 1_000); // the write lands up to one tick after its tick time
      expect(reverted.startMs).toBeLessThan(lastWriteMs + revertMs + 2_000);
      expect(reverted.batteryW).toBe(0);
      const during = steps.filter((s) => s.startMs > killedAtSim && s.startMs < reverted.startMs);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((s) => s.batteryW > 199_000)).toBe(true); // still discharging until the timeout
      expect(sim.site.batterySetpointActive).toBe(false);

      // restart: resumes from the stored plan and the stored last setpoint
      const second = startChild();
      const resumed = await until('the resume log line', () => (second.out().includes('resuming from plan') ? second.out() : undefined));
      expect(resumed).toContain(`resuming from plan ${planId}`);
      expect(resumed).toContain('last setpoints of 1 asset(s) loaded');
      await until('the battery discharging again', () =>
        sim.site.batterySetpointW === 200_000 && sim.site.batterySetpointActive ? true : undefined,
      );
      second.child.kill('SIGTERM');
      await second.exit;
    }, 120_000);
  },
);
