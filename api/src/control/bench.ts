/**
 * `npm run bench:control`: tick latency of the control agents from measurement in to setpoint out.
 *
 * The demo-like site on the in-process simulator (speed 1): SunSpec drivers over Modbus TCP to the
 * simulated inverters, PGlite for the command store. Each round hands a new grid meter reading to
 * the agents' ReadingsTap ("measurement in") and runs a tick at once; "setpoint out" is when the
 * battery inverter acknowledged the Modbus write of the new setpoint (revert timeout, value, mode).
 * Also reported: the whole tick including storing the commands. Wall-clock figures, one machine,
 * one run; noisy on a shared machine. Then the network path at 60× (bench-network.ts; BENCH_CONTROL_NETWORK=off skips it).
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { realTimeClock } from '../simulator/clock.js';
import { constantProfile } from '../simulator/profile.js';
import { startSimulator } from '../simulator/runner.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import { DEMO_SITE_ENERGY, siteEnergySchema } from '../site-energy/model.js';
import { migrate, openPglite } from '../store/index.js';
import { tempDir } from '../test/services.js';
import { ControlService } from './service.js';
import { linkSimulatedSite } from './sim-link.js';
import { constantPlan } from './testing.js';
import { networkRun } from './bench-network.js';

const ROUNDS = Number(process.env.BENCH_CONTROL_ROUNDS ?? 400);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const tmp = tempDir('luna-bench-control-');
const db = await openPglite(join(tmp.dir, 'pglite'));
await migrate(db);
await db.query("insert into sites (id, name, automation_enabled) values ('demo', 'Demo', true)");
const clock = realTimeClock(1);
const sim = await startSimulator({
  profile: constantProfile(300_000, 100_000),
  clock,
  models: shippedSunSpecModels(),
  tickMs: 1_000,
  modbus: { host: '127.0.0.1', port: 0 },
});
const link = await linkSimulatedSite({ siteId: 'demo', port: sim.modbus!.port, now: clock.now, pollIntervalMs: 500 });
let writeDone = 0;
const devices = {
  view: link.devices.view,
  async write(...a: Parameters<typeof link.devices.write>) {
    const r = await link.devices.write(...a);
    if (a[1] === 'battery') writeDone = performance.now();
    return r;
  },
};
const energy = siteEnergySchema.parse({ ...DEMO_SITE_ENERGY, control: { tickMs: 60_000, staleAfterMs: 30_000 } });
const plan = constantPlan('demo', clock.now(), -50_000, 2, 350_000);
const service = new ControlService({
  db,
  log: { info: () => undefined, warn: () => undefined, error: (o: unknown, m?: string) => console.error(m, o) } as never,
  devices,
  registry: new Registry(),
  plans: { active: async () => plan },
});
// wait for the first SunSpec poll so the battery has measurements
for (let i = 0; i < 100 && (await link.tap.latest('demo', ['battery/soc']))['battery/soc'] === undefined; i++)
  await new Promise((r) => setTimeout(r, 50));
await service.start([{ siteId: 'demo', energy, clock, measurements: link.tap }]);

const latency: number[] = [];
const tick: number[] = [];
let i = 0;
for (; i < ROUNDS + 20; i++) {
  // a meter reading that moves the decision (peak shaving above 350 kW on some rounds)
  const gridW = 250_000 + ((i * 7919) % 200_000);
  writeDone = 0;
  const t0 = performance.now();
  link.meter(clock.now(), gridW);
  await service.tickNow('demo');
  const t1 = performance.now();
  if (i >= 20 && writeDone > 0) {
    latency.push(writeDone - t0);
    tick.push(t1 - t0);
  }
}
await service.stop();
await link.stop();
await sim.stop();
const net = process.env.BENCH_CONTROL_NETWORK === 'off' ? undefined : await networkRun(db);
await db.close();
tmp.remove();
console.log(
  `# ${latency.length} ticks (after 20 warm-up), battery + PV agents, SunSpec over Modbus TCP to the in-process simulator, PGlite command store`,
);
console.log(`BENCH control.tick_latency_p50 ${pct(latency, 50).toFixed(2)} ms`);
console.log(`BENCH control.tick_latency_p99 ${pct(latency, 99).toFixed(2)} ms`);
console.log(`BENCH control.tick_with_store_p50 ${pct(tick, 50).toFixed(2)} ms`);
console.log(`BENCH control.tick_with_store_p99 ${pct(tick, 99).toFixed(2)} ms`);
if (net) {
  console.log(
    `# network path at ${net.speed}×, ${net.hours} simulated h around the highest quarter of 2023-01-16: ${net.quarters} full quarters, ` +
      `${net.commands} commands; plan peak target ${Math.round(net.targetW / 1000)} kW, without battery ${Math.round(net.peakWithoutBatteryW / 1000)} kW, ` +
      `realised ${Math.round(net.realisedPeakW / 1000)} kW`,
  );
  console.log(`BENCH control.network_quarters_above_target ${net.aboveTarget} quarters`);
  console.log(`BENCH control.network_max_over_target ${(net.maxOverW / 1000).toFixed(1)} kW`);
}
