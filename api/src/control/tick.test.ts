import { describe, expect, it } from 'vitest';
import { gridFriendly } from '../rules/index.js';
import { DEMO_SITE_ENERGY, siteEnergySchema, type SiteEnergy } from '../site-energy/model.js';
import { violatedLimits } from './envelope.js';
import type { ActivePlan, GridSignal, Override } from './model.js';
import { controlTick, type DeviceView, type TickInput } from './tick.js';

const NOW = Date.UTC(2026, 0, 12, 10, 7, 30); // 7.5 min into a quarter
const Q = Date.UTC(2026, 0, 12, 10, 0);

const batteryDevice: DeviceView = {
  writable: true,
  state: 'online',
  setpoints: [{ name: 'power', unit: 'W', min: -500_000, max: 500_000 }],
};
const pvDevice: DeviceView = { writable: true, state: 'online', setpoints: [{ name: 'limit', unit: '%', min: 0, max: 100 }] };
const evDevice: DeviceView = { writable: true, state: 'online', setpoints: [{ name: 'power', unit: 'W', min: 0, max: 22_000 }] };

const energy: SiteEnergy = siteEnergySchema.parse({
  ...DEMO_SITE_ENERGY,
  batteries: [{ ...DEMO_SITE_ENERGY.batteries[0]!, section14a: true }],
  flexibleLoads: [
    { id: 'ev', kind: 'ev-charger', deviceId: 'ev', powerSeries: 'ev/power', maxPowerW: 22_000, minPowerW: 0, section14a: true },
  ],
});

function plan(batteryW: number, over: Partial<ActivePlan> = {}): ActivePlan {
  return {
    id: 'p1',
    siteId: 'demo',
    createdAtMs: Q - 3_600_000,
    reason: 'schedule',
    peakTargetW: 450_000,
    steps: [
      {
        startMs: Q,
        gridW: 300_000,
        batteryW: { battery: batteryW },
        batterySocPct: { battery: 50 },
        pvCapW: {},
        flexibleW: { ev: 11_000 },
      },
    ],
    ...over,
  };
}

function input(over: Partial<TickInput> = {}, latest: Record<string, number> = {}): TickInput {
  const v = { 'grid/power': 300_000, 'battery/power': 0, 'battery/soc': 50, 'pv/power': 100_000, 'ev/power': 11_000, ...latest };
  const now = over.nowMs ?? NOW;
  return {
    siteId: 'demo',
    energy,
    nowMs: NOW,
    automationEnabled: true,
    plan: plan(0),
    overrides: [],
    signals: [],
    rules: undefined,
    latest: Object.fromEntries(Object.entries(v).map(([k, value]) => [k, { tsMs: now - 2_000, value }])),
    gridSamples: [{ tsMs: now - 450_000, powerW: v['grid/power'] }],
    devices: { battery: batteryDevice, pv: pvDevice, ev: evDevice },
    last: {},
    ...over,
  };
}

const decision = (i: TickInput, assetId: string) => controlTick(i).decisions.find((d) => d.assetId === assetId)!;

const override = (assetId: string, setpointW: number): Override => ({
  id: 'o1',
  siteId: 'demo',
  assetId,
  setpointW,
  createdAtMs: NOW - 60_000,
  expiresAtMs: NOW + 3_600_000,
  userId: 'u1',
  userName: 'olga',
});
const s14 = (maxW: number): GridSignal => ({
  id: 's1',
  siteId: 'demo',
  kind: 'section14a-dimming',
  fromMs: NOW - 60_000,
  toMs: NOW + 3_600_000,
  maxControllablePowerW: maxW,
  source: 'api',
  receivedAtMs: NOW - 60_000,
});

describe('control tick: precedence manual > grid signal > rules > peak shaving > plan + live correction', () => {
  it('follows the plan', () => {
    const d = decision(input({ plan: plan(-100_000) }), 'battery');
    expect(d).toMatchObject({
      mode: 'auto',
      command: { source: 'plan', requestedW: -100_000, writtenW: -100_000, deviceValue: -100_000, revertTimeoutS: 60 },
    });
  });

  it('live correction: PV surplus the plan did not expect is charged instead of exported', () => {
    // the plan expected 300 kW import; the grid exports 80 kW with the battery idle
    const d = decision(input({ plan: plan(0) }, { 'grid/power': -80_000 }), 'battery');
    expect(d.command).toMatchObject({ source: 'live-correction', writtenW: -80_000 });
  });

  it('peak shaving: import above the plan peak target is discharged away (line 1 % below the target)', () => {
    const d = decision(input({ plan: plan(0) }, { 'grid/power': 600_000 }), 'battery');
    // the quarter ran at 600 kW so far: the rest must average 2 × 445.5 − 600 = 291 kW
    expect(d.command!.source).toBe('peak-shaving');
    expect(d.command!.writtenW).toBeCloseTo(600_000 - (2 * 445_500 - 600_000), 0);
  });

  it('peak shaving makes room for a planned EV charge by charging the battery less, not by cutting the EV', () => {
    // the battery charges 100 kW as planned, import 440 kW; the EV (0 kW now) is planned at 11 kW; line 445.5 kW
    const i = input({ plan: plan(-100_000) }, { 'grid/power': 440_000, 'battery/power': -100_000, 'ev/power': 0 });
    const bat = decision(i, 'battery');
    const ev = decision(i, 'ev');
    expect(bat.command!.source).toBe('peak-shaving');
    expect(bat.command!.writtenW).toBeCloseTo(-94_500, 0);
    expect(ev.command).toMatchObject({ source: 'plan', writtenW: 11_000 });
  });

  it('rules beat peak shaving (a reserve rule keeps SoC)', () => {
    const rules = gridFriendly({ pvPeakW: 750_000, importCapW: 2_000_000 });
    const at = Date.UTC(2026, 0, 13, 15, 7, 30); // Tuesday 16:07 in Berlin: the evening reserve window
    const p = plan(0, { steps: [{ ...plan(0).steps[0]!, startMs: at - 450_000 }] });
    const d = decision(input({ rules, nowMs: at, plan: p }, { 'grid/power': 600_000, 'battery/soc': 40 }), 'battery');
    expect(d.command).toMatchObject({ source: 'rule', writtenW: 0 });
  });

  it('a rule that caps feed-in charges first, then caps PV (source rule)', () => {
    const rules = gridFriendly({ pvPeakW: 750_000, importCapW: 2_000_000 }); // feed-in ≤ 450 kW
    // export 700 kW with the battery idle and full: no charging room, so the PV is capped
    const r = controlTick(input({ rules, plan: plan(0) }, { 'grid/power': -700_000, 'pv/power': 750_000, 'battery/soc': 95 }));
    const pv = r.decisions.find((d) => d.assetId === 'pv')!;
    expect(pv.command).toMatchObject({ source: 'rule' });
    expect(pv.command!.writtenW).toBeCloseTo(500_000, -3); // 750 kW − (700 − 450) kW
  });

  it('a §14a signal limits charging of a §14a battery and the EV to the shared budget', () => {
    const i = input({ plan: plan(-300_000), signals: [s14(10_000)] });
    const r = controlTick(i);
    const b = r.decisions.find((d) => d.assetId === 'battery')!;
    const ev = r.decisions.find((d) => d.assetId === 'ev')!;
    expect(b).toMatchObject({ mode: 'grid-signal', command: { source: 'grid-signal', writtenW: -10_000 } });
    expect(ev).toMatchObject({ mode: 'grid-signal', command: { source: 'grid-signal', writtenW: 0 } });
  });

  it('a manual override wins over plan and signals, but not over the envelope', () => {
    const d = decision(input({ plan: plan(-300_000), signals: [s14(10_000)], overrides: [override('battery', -200_000)] }), 'battery');
    expect(d).toMatchObject({
      mode: 'override',
      command: { source: 'manual', requestedW: -200_000, writtenW: -10_000, clampedBy: ['section14a'] },
    });
    const ok = decision(input({ overrides: [override('battery', 250_000)] }), 'battery');
    expect(ok.command).toMatchObject({ source: 'manual', writtenW: 250_000, clampedBy: [] });
  });

  it('redispatch activation holds the grid at its target; curtailment caps PV in % of its rating', () => {
    const act: GridSignal = { ...s14(0), id: 's2', kind: 'redispatch-activation', targetGridW: 100_000 };
    delete act.maxControllablePowerW;
    expect(decision(input({ signals: [act] }), 'battery').command).toMatchObject({ source: 'grid-signal', writtenW: 200_000 });
    const cur: GridSignal = { ...s14(0), id: 's3', kind: 'redispatch-curtailment', maxPvPowerW: 300_000 };
    delete cur.maxControllablePowerW;
    expect(decision(input({ signals: [cur] }), 'pv').command).toMatchObject({ source: 'grid-signal', writtenW: 300_000, deviceValue: 40 });
  });

  it('PV without curtailment writes nothing (the inverter runs free); after a limit it writes 100 % once', () => {
    expect(decision(input(), 'pv')).toMatchObject({ mode: 'auto', reason: 'no curtailment needed' });
    expect(decision(input(), 'pv').command).toBeUndefined();
    expect(decision(input({ last: { pv: { writtenW: 300_000, atMs: NOW - 5_000 } } }), 'pv').command).toMatchObject({
      writtenW: 750_000,
      deviceValue: 100,
    });
  });
});

describe('control tick: stopping automatic control', () => {
  it.each([
    [
      'stale grid meter',
      input({ latest: { ...input().latest, 'grid/power': { tsMs: NOW - 31_000, value: 1 } } }),
      /stale data: grid meter 31 s old/,
    ],
    ['no SoC reading', input({ latest: { ...input().latest, 'battery/soc': undefined } }), /no battery measurement yet/],
    [
      'stale SoC',
      input({ latest: { ...input().latest, 'battery/soc': { tsMs: NOW - 60_000, value: 50 } } }),
      /stale data: newest battery measurement 60 s old/,
    ],
    [
      'device offline',
      input({ devices: { ...input().devices, battery: { ...batteryDevice, writable: false, state: 'offline' } } }),
      /device battery is offline/,
    ],
    ['device not running', input({ devices: { pv: pvDevice, ev: evDevice } }), /device battery is not running/],
    ['automation off', input({ automationEnabled: false }), /automation off/],
  ])('%s: stopped, nothing written', (_n, i, reason) => {
    const d = decision(i, 'battery');
    expect(d.mode).toBe('stopped');
    expect(d.reason).toMatch(reason);
    expect(d.command).toBeUndefined();
  });

  it('automation off: an override is still written (through the envelope)', () => {
    const d = decision(input({ automationEnabled: false, overrides: [override('battery', 100_000)] }), 'battery');
    expect(d).toMatchObject({ mode: 'override', command: { source: 'manual', writtenW: 100_000 } });
  });

  it('every written value lies inside the envelope it was checked against', () => {
    for (const gridW of [-900_000, -300_000, 0, 450_000, 950_000, 1_200_000])
      for (const soc of [3, 5, 50, 95, 99])
        for (const planW of [-500_000, 0, 500_000]) {
          const r = controlTick(input({ plan: plan(planW) }, { 'grid/power': gridW, 'battery/soc': soc }));
          for (const d of r.decisions) if (d.command) expect(violatedLimits(d.envelope!, d.command.writtenW, 1)).toEqual([]);
        }
  });
});
