/**
 * Part of `npm run bench:control`: the agents over the NETWORK path at an accelerated clock — the
 * simulator on the demo year at 60× with its Modbus server and its MQTT meter (embedded broker),
 * Luna's SunSpec drivers and MQTT meter subscription, the control service — for the simulated
 * hours around the highest quarter of 16 January 2023, with one plan from `optimise` (true load/PV,
 * real prices). Reports how many quarter hours ended above the plan's peak target (by the
 * simulator's StepRecords) and by how much. On a loaded 2-core machine the wall-clock jitter of
 * polls and ticks is multiplied by 60 in simulated time: a measure of the path, not a test.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { DEMO_DATA_FILE } from '../config/schema.js';
import { parseDemoCsv } from '../demo/replay.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import { embeddedBroker } from '../mqtt/index.js';
import { loadSolver, optimise, STEP_MS } from '../optimiser/index.js';
import { realTimeClock } from '../simulator/clock.js';
import { demoProfile } from '../simulator/profile.js';
import { startSimulator } from '../simulator/runner.js';
import type { StepRecord } from '../simulator/site.js';
import { batteryInputOf } from '../planning/planner.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import type { Database } from '../store/index.js';
import { loadTariff } from '../tariffs/index.js';
import type { ActivePlan } from './model.js';
import { ControlService } from './service.js';
import { linkSimulatedSite } from './sim-link.js';
import { hourlyPrices, quarterMeans } from './testing.js';

export interface NetworkRun {
  hours: number;
  speed: number;
  quarters: number;
  aboveTarget: number;
  maxOverW: number;
  targetW: number;
  peakWithoutBatteryW: number;
  realisedPeakW: number;
  commands: number;
}

export async function networkRun(db: Database, o: { hours?: number; speed?: number } = {}): Promise<NetworkRun> {
  const hours = o.hours ?? 2;
  const speed = o.speed ?? 60;
  const demo = parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'));
  const day = Date.UTC(2023, 0, 16);
  const loads = quarterMeans(demo, 'loadKw', day, 96).map((l, k) => l - quarterMeans(demo, 'pvKw', day, 96)[k]!);
  const peakQ = loads.indexOf(Math.max(...loads));
  const startMs = day + Math.max(0, peakQ - hours * 2) * STEP_MS;
  const energy = siteEnergySchema.parse(DEMO_SITE_ENERGY);
  const bat = energy.batteries[0]!;
  const n = 96;
  const prices = hourlyPrices();
  const plan = optimise(await loadSolver(), {
    startMs,
    tariff: await loadTariff(energy.tariffId),
    spotPriceEurPerMWh: Array.from({ length: n }, (_, k) => prices.get(Math.floor((startMs + k * STEP_MS) / 3_600_000) * 3_600_000) ?? 95),
    loadW: quarterMeans(demo, 'loadKw', startMs, n),
    pvAvailableW: quarterMeans(demo, 'pvKw', startMs, n),
    grid: { importLimitW: energy.grid.importLimitW, exportLimitW: energy.grid.exportLimitW },
    batteries: [batteryInputOf(bat, 50, 0.15)],
  });
  const active: ActivePlan = {
    id: 'bench-network',
    siteId: 'demo',
    createdAtMs: startMs,
    reason: 'bench',
    peakTargetW: plan.peaks[0]?.planPeakW ?? 0,
    steps: plan.steps.map((s) => ({
      startMs: s.startMs,
      gridW: s.gridImportW - s.gridExportW,
      batteryW: { [bat.id]: s.batteries[0]!.powerW },
      batterySocPct: { [bat.id]: (s.batteries[0]!.socWh / bat.capacityWh) * 100 },
      pvCapW: (s.pvCurtailedW > 1 ? { pv: s.pvW } : {}) as Record<string, number>,
      flexibleW: {},
    })),
  };

  const broker = embeddedBroker({ adapter: 'embedded', host: '127.0.0.1', port: 0 });
  await broker.start();
  const clock = realTimeClock(speed, { startMs });
  const steps: StepRecord[] = [];
  const sim = await startSimulator({
    profile: demoProfile(demo),
    clock,
    models: shippedSunSpecModels(),
    tickMs: 20,
    maxStepMs: 1_000,
    modbus: { host: '127.0.0.1', port: 0 },
    mqtt: { url: broker.clientUrl!, prefix: 'luna-sim/bench' },
    meterIntervalMs: 20,
    onStep: (r) => void steps.push(r),
  });
  const link = await linkSimulatedSite({
    siteId: 'demo',
    port: sim.modbus!.port,
    now: clock.now,
    pollIntervalMs: 50,
    mqtt: { url: broker.clientUrl!, prefix: 'luna-sim/bench' },
  });
  let commands = 0;
  const service = new ControlService({
    db,
    log: { info: () => undefined, warn: () => undefined, error: (_o: unknown, m?: string) => console.error(m) } as never,
    devices: link.devices,
    registry: new Registry(),
    plans: { active: async () => active },
    bus: {
      async publish(topic) {
        if (topic === 'live.command') commands++;
      },
    },
  });
  await service.start([{ siteId: 'demo', energy, clock, measurements: link.tap }]);
  await new Promise((r) => setTimeout(r, (hours * 3_600_000) / speed));
  await service.stop();
  await link.stop();
  await sim.stop();
  await broker.close?.();

  const byQ = new Map<number, number>();
  for (const r of steps) {
    const q = Math.floor(r.startMs / STEP_MS) * STEP_MS;
    byQ.set(q, (byQ.get(q) ?? 0) + r.energy.gridImportWh);
  }
  const full = [...byQ].filter(([q]) => q >= startMs + STEP_MS && q + STEP_MS <= sim.site.nowMs); // the first quarter starts before the agents
  const averages = full.map(([, wh]) => wh / 0.25);
  const over = averages.map((a) => a - active.peakTargetW).filter((d) => d > 1);
  return {
    hours,
    speed,
    quarters: full.length,
    aboveTarget: over.length,
    maxOverW: over.length ? Math.max(...over) : 0,
    targetW: active.peakTargetW,
    peakWithoutBatteryW: Math.max(...loads),
    realisedPeakW: Math.max(...averages),
    commands,
  };
}
