/**
 * `npm run simulator -- --speed 60 --modbus-port 15020 --mqtt-url mqtt://127.0.0.1:1883`
 *
 * The site simulator as a standalone process (the same code the demo site runs in-process):
 * Musterwerk's real load and modelled PV (demo/musterwerk-2023.csv), the reference battery
 * (1,000 kWh, 500 kW, 94 % one-way, SoC 5–95 %), a PV inverter (unit 1) and a battery inverter
 * (unit 2) as SunSpec devices on a Modbus TCP server, and — with --mqtt-url — the main meter and
 * load meter as JSON on `<prefix>/grid` and `<prefix>/load`. Prints a status line every
 * --status-every seconds and, on exit (Ctrl-C, SIGTERM or --duration), the energy totals and the
 * largest per-step imbalance of the whole run (which should be 0 up to rounding).
 * Options: see SIMULATOR_USAGE in simulator-args.ts.
 */
import { readFileSync } from 'node:fs';
import { DEMO_DATA_FILE } from '../../api/src/config/schema.js';
import { parseDemoCsv } from '../../api/src/demo/replay.js';
import { shippedSunSpecModels } from '../../api/src/devices/sunspec/models.js';
import { realTimeClock } from '../../api/src/simulator/clock.js';
import { demoProfile } from '../../api/src/simulator/profile.js';
import { startSimulator } from '../../api/src/simulator/runner.js';
import { REFERENCE_SITE, type StepRecord } from '../../api/src/simulator/site.js';
import { parseSimulatorArgs, SIMULATOR_USAGE } from './simulator-args.js';

const parsed = parseSimulatorArgs(process.argv.slice(2));
if (!parsed.ok) {
  console.error(`simulator: ${parsed.error}\n${SIMULATOR_USAGE}`);
  process.exit(2);
}
const a = parsed.args;

const totals = {
  loadWh: 0,
  pvWh: 0,
  pvCurtailedWh: 0,
  importWh: 0,
  exportWh: 0,
  chargeWh: 0,
  dischargeWh: 0,
  lossWh: 0,
  maxImbalanceWh: 0,
};
const onStep = (r: StepRecord) => {
  const e = r.energy;
  totals.loadWh += e.loadWh;
  totals.pvWh += e.pvWh;
  totals.pvCurtailedWh += e.pvCurtailedWh;
  totals.importWh += e.gridImportWh;
  totals.exportWh += e.gridExportWh;
  totals.chargeWh += e.batteryChargeWh;
  totals.dischargeWh += e.batteryDischargeWh;
  totals.lossWh += e.batteryLossWh;
  const imbalance = Math.abs(e.gridImportWh - e.gridExportWh - (e.loadWh - e.pvWh + e.batteryChargeWh - e.batteryDischargeWh));
  totals.maxImbalanceWh = Math.max(totals.maxImbalanceWh, imbalance);
};

const clock = realTimeClock(a.speed, a.startMs !== undefined ? { startMs: a.startMs } : {});
const sim = await startSimulator({
  profile: demoProfile(parseDemoCsv(readFileSync(DEMO_DATA_FILE, 'utf8'))),
  params: { ...REFERENCE_SITE, initialSocPct: a.socPct },
  clock,
  models: shippedSunSpecModels(),
  maxStepMs: Math.max(1_000, Math.ceil(a.speed) * 100),
  modbus: { host: a.host, port: a.modbusPort, pvUnitId: a.pvUnitId, batteryUnitId: a.batteryUnitId },
  ...(a.mqttUrl !== undefined
    ? {
        mqtt: {
          url: a.mqttUrl,
          prefix: a.prefix,
          ...(a.mqttUsername !== undefined ? { username: a.mqttUsername } : {}),
          ...(a.mqttPassword !== undefined ? { password: a.mqttPassword } : {}),
        },
      }
    : {}),
  meterIntervalMs: a.meterIntervalS * 1000,
  onStep,
  log: {
    info: (_d, msg) => console.log(msg),
    warn: (d, msg) => console.error(`${msg} ${JSON.stringify(d)}`),
  },
});

const simStartMs = sim.site.nowMs;
const kw = (w: number) => `${(w / 1000).toFixed(1)} kW`;
console.log(
  `simulator: Musterwerk (load 2,500 MWh/a, PV 750 kWp, battery 1,000 kWh / 500 kW) at ${a.speed}× from ${new Date(clock.now()).toISOString()}\n` +
    `  Modbus TCP ${a.host}:${sim.modbus!.port}: PV inverter unit ${a.pvUnitId} (SunSpec 1, 103, 120, 123), battery inverter unit ${a.batteryUnitId} (SunSpec 1, 103, 120, 124, 802), base 40000\n` +
    (a.mqttUrl !== undefined
      ? `  MQTT ${a.mqttUrl}: ${a.prefix}/grid, ${a.prefix}/load every ${a.meterIntervalS} s\n`
      : '  MQTT: off (no --mqtt-url)\n') +
    '  Ctrl-C stops and prints the energy totals',
);

const status = () => {
  const r = sim.site.last!;
  console.log(
    `${new Date(sim.site.nowMs).toISOString()} load ${kw(r.loadW)} pv ${kw(r.pvW)}${r.pvLimitPct < 100 ? ` (limit ${r.pvLimitPct} %)` : ''} ` +
      `battery ${kw(r.batteryW)} SoC ${sim.site.socPct.toFixed(1)} % grid ${kw(r.gridW)}${r.violations.length ? ` VIOLATION ${r.violations.join(',')}` : ''}`,
  );
};
const statusTimer = a.statusEveryS > 0 ? setInterval(status, a.statusEveryS * 1000) : undefined;

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (statusTimer) clearInterval(statusTimer);
  await sim.stop();
  const mwh = (wh: number) => `${(wh / 1e6).toFixed(3)} MWh`;
  console.log(
    `simulated ${((sim.site.nowMs - simStartMs) / 3_600_000).toFixed(2)} h in ${sim.stats.steps} steps: ` +
      `load ${mwh(totals.loadWh)}, PV ${mwh(totals.pvWh)} (curtailed ${mwh(totals.pvCurtailedWh)}), import ${mwh(totals.importWh)}, export ${mwh(totals.exportWh)}, ` +
      `battery charge ${mwh(totals.chargeWh)} / discharge ${mwh(totals.dischargeWh)} / losses ${mwh(totals.lossWh)}, SoC ${sim.site.socPct.toFixed(1)} %\n` +
      `largest per-step imbalance ${totals.maxImbalanceWh.toExponential(2)} Wh; connection-limit violations: import ${sim.stats.importLimitViolations}, export ${sim.stats.exportLimitViolations} steps; ` +
      `reverts: battery ${sim.stats.reverts.battery}, PV ${sim.stats.reverts.pv}; Modbus requests ${sim.modbus!.stats.requests} (exceptions ${sim.modbus!.stats.exceptions})`,
  );
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (a.durationS > 0) setTimeout(() => void stop(), a.durationS * 1000);
