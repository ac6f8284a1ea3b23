import { describe, expect, it } from 'vitest';
import type { Quality } from '../model.js';
import { compileMappings, decodeMessage, subscriptionTopics, type CompiledMapping, type KeyedReading } from './mapping.js';
import { matchTopic } from './topic.js';
import { backoffDelayMs } from './subscriber.js';

/** 2025-06-14T10:00:05Z — 12:00:05 in Berlin (summer time) */
const RECV = Date.UTC(2025, 5, 14, 10, 0, 5);

const r = (seriesKey: string, value: number, tsMs = RECV, quality: Quality = 'measured'): KeyedReading => ({
  seriesKey,
  tsMs,
  value,
  quality,
});

function compile(defs: unknown[]): CompiledMapping[] {
  const c = compileMappings(defs);
  if (!c.ok) throw new Error(c.errors.join('\n'));
  return c.mappings;
}

const MAPPINGS = compile([
  { topic: 'meter/+/power', format: 'number', series: { seriesKey: 'meter/{1}/power', unit: 'kW' } },
  { topic: 'meter/+/energy', format: 'number', series: { seriesKey: 'meter/{1}/energy', unit: 'kWh' } },
  {
    topic: 'bridge/+/json',
    format: 'json',
    series: [
      { path: 'ENERGY.Power', seriesKey: 'bridge/{1}/power', unit: 'W' },
      { path: 'emeters.0.power', seriesKey: 'bridge/{1}/em0', unit: 'W' },
      { path: 'emeters.1.total', seriesKey: 'bridge/{1}/em1_energy', unit: 'Wh', timestampPath: 'ts' },
    ],
  },
  { topic: 'tele/+/SENSOR', format: 'tasmota', series: { prefix: 'tasmota/{1}' } },
  { topic: 'tz/+/SENSOR', format: 'tasmota', series: { prefix: 'tasmota/{1}' }, timeZone: 'Europe/Berlin' },
  { topic: 'shellies/+/relay/+/+', format: 'shelly', series: { prefix: 'shelly/{1}' } },
  { topic: 'plus/+/status/+', format: 'shelly', series: { prefix: 'shelly/{1}' } },
  { topic: 'solar/+/+/+', format: 'opendtu', series: { prefix: 'opendtu/{1}' } },
]);

// Payloads cut from real devices (Tasmota 14 Sonoff POW R2, Shelly Plus 1PM fw 1.3, OpenDTU 24.x)
const TASMOTA_POW = JSON.stringify({
  Time: '2025-06-14T12:00:00',
  ENERGY: {
    TotalStartTime: '2024-01-01T00:00:00',
    Total: 123.456,
    Yesterday: 1.234,
    Today: 0.567,
    Period: 5,
    Power: 230,
    ApparentPower: 240,
    ReactivePower: 69,
    Factor: 0.96,
    Voltage: 231,
    Current: 1.039,
  },
});
const SHELLY_PLUS_SWITCH = JSON.stringify({
  id: 0,
  source: 'timer',
  output: true,
  apower: 12.3,
  voltage: 230.1,
  freq: 50.0,
  current: 0.05,
  aenergy: { total: 1234.5, by_minute: [190.3, 205.1, 198.7], minute_ts: 1749895200 },
  temperature: { tC: 41.2, tF: 106.2 },
});
const SHELLY_MINUTE_MS = 1749895200_000; // 2025-06-14T10:00:00Z

interface Case {
  name: string;
  topic: string;
  payload: string;
  receivedMs?: number;
  readings: KeyedReading[];
  rejections?: (string | RegExp)[];
  matched?: boolean;
}

const CASES: Case[] = [
  // ---- plain numbers
  { name: 'number: kW series, plain value → W', topic: 'meter/m1/power', payload: '1.5', readings: [r('meter/m1/power', 1500)] },
  {
    name: 'number: unit suffix in the payload wins',
    topic: 'meter/m1/power',
    payload: '1234.5 W',
    readings: [r('meter/m1/power', 1234.5)],
  },
  { name: 'number: negative power is export, kept', topic: 'meter/m1/power', payload: '-0.8', readings: [r('meter/m1/power', -800)] },
  { name: 'number: kWh counter → Wh', topic: 'meter/m1/energy', payload: '12345.678', readings: [r('meter/m1/energy', 12345678)] },
  {
    name: 'number: unit of another dimension refused',
    topic: 'meter/m1/power',
    payload: '5 kWh',
    readings: [],
    rejections: ['payload: unit "kWh" does not fit the series unit "kW" (W)'],
  },
  {
    name: 'number: unknown unit refused',
    topic: 'meter/m1/power',
    payload: '5 kX',
    readings: [],
    rejections: ['payload: unknown unit "kX"'],
  },
  { name: 'number: text refused', topic: 'meter/m1/power', payload: 'abc', readings: [], rejections: ['payload "abc" is not a number'] },
  { name: 'number: NaN refused', topic: 'meter/m1/power', payload: 'NaN', readings: [], rejections: ['payload "NaN" is not a number'] },
  {
    name: 'number: Infinity refused',
    topic: 'meter/m1/power',
    payload: 'Infinity',
    readings: [],
    rejections: ['payload "Infinity" is not a number'],
  },
  {
    name: 'number: overflow refused',
    topic: 'meter/m1/power',
    payload: '1e999',
    readings: [],
    rejections: ['payload "1e999" is not a finite number'],
  },
  { name: 'number: empty payload refused', topic: 'meter/m1/power', payload: '', readings: [], rejections: ['payload "" is not a number'] },
  {
    name: 'number: negative counter refused',
    topic: 'meter/m1/energy',
    payload: '-3',
    readings: [],
    rejections: ['payload is -3 kWh: a cumulative counter cannot be negative'],
  },

  // ---- generic JSON
  {
    name: 'json: object path, array index, numeric string, epoch-second timestamp',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":230.5},"emeters":[{"power":10},{"total":"5000.5"}],"ts":1718359200}',
    readings: [r('bridge/b1/power', 230.5), r('bridge/b1/em0', 10), r('bridge/b1/em1_energy', 5000.5, 1718359200_000)],
  },
  {
    name: 'json: ISO timestamp with offset',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":1},"emeters":[{"power":2},{"total":3}],"ts":"2025-06-14T12:00:00+02:00"}',
    readings: [r('bridge/b1/power', 1), r('bridge/b1/em0', 2), r('bridge/b1/em1_energy', 3, Date.UTC(2025, 5, 14, 10))],
  },
  {
    name: 'json: epoch-millisecond timestamp',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":1},"emeters":[{"power":2},{"total":3}],"ts":1718359200123}',
    readings: [r('bridge/b1/power', 1), r('bridge/b1/em0', 2), r('bridge/b1/em1_energy', 3, 1718359200123)],
  },
  {
    name: 'json: text value and missing path refused, valid part kept',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":"abc"},"emeters":[{"power":10}]}',
    readings: [r('bridge/b1/em0', 10)],
    rejections: ['"abc" at ENERGY.Power is not a number', 'emeters.1.total missing in payload'],
  },
  {
    name: 'json: null, object and negative counter refused',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":null},"emeters":[{"power":{"v":1}},{"total":-1}],"ts":1718359200}',
    readings: [],
    rejections: [
      'null at ENERGY.Power is not a number',
      '{"v":1} at emeters.0.power is not a number',
      'emeters.1.total is -1 Wh: a cumulative counter cannot be negative',
    ],
  },
  {
    name: 'json: timestamp missing or without offset refused (no timeZone on the mapping)',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":5},"emeters":[{"power":1},{"total":3}],"ts":"2025-06-14T12:00:00"}',
    readings: [r('bridge/b1/power', 5), r('bridge/b1/em0', 1)],
    rejections: ['timestamp "2025-06-14T12:00:00" at ts has no UTC offset: set timeZone on the mapping to the device\'s zone'],
  },
  {
    name: 'json: timestamp path missing',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":{"Power":5},"emeters":[{"power":1},{"total":3}]}',
    readings: [r('bridge/b1/power', 5), r('bridge/b1/em0', 1)],
    rejections: ['ts missing in payload (timestamp of emeters.1.total)'],
  },
  {
    name: 'json: payload not JSON',
    topic: 'bridge/b1/json',
    payload: '{"ENERGY":',
    readings: [],
    rejections: [/^payload is not JSON: .+/],
  },

  // ---- Tasmota
  {
    name: 'tasmota: POW SENSOR, local Time without zone → receive time; kWh → Wh',
    topic: 'tele/pow-1/SENSOR',
    payload: TASMOTA_POW,
    readings: [
      r('tasmota/pow-1/energy_import', 123456),
      r('tasmota/pow-1/active_power', 230),
      r('tasmota/pow-1/reactive_power', 69),
      r('tasmota/pow-1/voltage', 231),
      r('tasmota/pow-1/current', 1.039),
    ],
  },
  {
    name: 'tasmota: timeZone set → local Time converted to UTC',
    topic: 'tz/pow-1/SENSOR',
    payload: TASMOTA_POW,
    readings: [
      r('tasmota/pow-1/energy_import', 123456, Date.UTC(2025, 5, 14, 10)),
      r('tasmota/pow-1/active_power', 230, Date.UTC(2025, 5, 14, 10)),
      r('tasmota/pow-1/reactive_power', 69, Date.UTC(2025, 5, 14, 10)),
      r('tasmota/pow-1/voltage', 231, Date.UTC(2025, 5, 14, 10)),
      r('tasmota/pow-1/current', 1.039, Date.UTC(2025, 5, 14, 10)),
    ],
  },
  {
    name: 'tasmota: autumn repeated hour → the instant nearer receipt (second pass, CET)',
    topic: 'tz/pow-1/SENSOR',
    payload: '{"Time":"2025-10-26T02:30:00","ENERGY":{"Power":100}}',
    receivedMs: Date.UTC(2025, 9, 26, 1, 30, 4),
    readings: [r('tasmota/pow-1/active_power', 100, Date.UTC(2025, 9, 26, 1, 30))],
  },
  {
    name: 'tasmota: autumn repeated hour → first pass (CEST) when received then',
    topic: 'tz/pow-1/SENSOR',
    payload: '{"Time":"2025-10-26T02:30:00","ENERGY":{"Power":100}}',
    receivedMs: Date.UTC(2025, 9, 26, 0, 30, 4),
    readings: [r('tasmota/pow-1/active_power', 100, Date.UTC(2025, 9, 26, 0, 30))],
  },
  {
    name: 'tasmota: SetOption52 offset in Time is used without timeZone',
    topic: 'tele/pow-1/SENSOR',
    payload: '{"Time":"2025-06-14T12:00:00+02:00","ENERGY":{"Power":5}}',
    readings: [r('tasmota/pow-1/active_power', 5, Date.UTC(2025, 5, 14, 10))],
  },
  {
    name: 'tasmota: STATUS10 answer (StatusSNS wrapper)',
    topic: 'tele/pow-1/SENSOR',
    payload: '{"StatusSNS":{"Time":"2025-06-14T12:00:00","ENERGY":{"Total":0.5,"Power":7}}}',
    readings: [r('tasmota/pow-1/energy_import', 500), r('tasmota/pow-1/active_power', 7)],
  },
  {
    name: 'tasmota: multi-channel arrays → channel 1, 2',
    topic: 'tele/dual/SENSOR',
    payload: '{"Time":"2025-06-14T12:00:00","ENERGY":{"Total":1.5,"Power":[12,34],"Voltage":230}}',
    readings: [
      r('tasmota/dual/energy_import', 1500),
      r('tasmota/dual/1/active_power', 12),
      r('tasmota/dual/2/active_power', 34),
      r('tasmota/dual/voltage', 230),
    ],
  },
  {
    name: 'tasmota: negative Total and text Power refused, Voltage kept',
    topic: 'tele/pow-1/SENSOR',
    payload: '{"Time":"2025-06-14T12:00:00","ENERGY":{"Total":-1,"Power":"abc","Voltage":229.5}}',
    readings: [r('tasmota/pow-1/voltage', 229.5)],
    rejections: ['ENERGY.Total is -1 kWh: an energy counter cannot be negative', '"abc" at ENERGY.Power is not a number'],
  },
  {
    name: 'tasmota: SENSOR without ENERGY refused',
    topic: 'tele/th-1/SENSOR',
    payload: '{"Time":"2025-06-14T12:00:00","DS18B20":{"Id":"01131B5A6AAA","Temperature":21.5},"TempUnit":"C"}',
    readings: [],
    rejections: ['ENERGY missing in payload (not a Tasmota energy-monitoring SENSOR message)'],
  },
  {
    name: 'tasmota: nonexistent spring local time refused',
    topic: 'tz/pow-1/SENSOR',
    payload: '{"Time":"2025-03-30T02:30:00","ENERGY":{"Power":1}}',
    readings: [],
    rejections: [/^timestamp "2025-03-30T02:30:00" at Time: .+/],
  },
  {
    name: 'tasmota: payload not JSON',
    topic: 'tele/pow-1/SENSOR',
    payload: 'Online',
    readings: [],
    rejections: [/^payload is not JSON: /],
  },

  // ---- Shelly
  {
    name: 'shelly gen2: switch:0 status, aenergy.total in Wh',
    topic: 'plus/shellyplus1pm-a8032ab12345/status/switch:0',
    payload: SHELLY_PLUS_SWITCH,
    readings: [
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/active_power', 12.3),
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/voltage', 230.1),
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/current', 0.05),
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/frequency', 50),
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/energy_import', 1234.5),
      r('shelly/shellyplus1pm-a8032ab12345/switch:0/temperature', 41.2),
    ],
  },
  {
    name: 'shelly gen2: stale message (queued by the broker) → minute_ts + 60 s, estimated',
    topic: 'plus/p1/status/switch:0',
    payload: SHELLY_PLUS_SWITCH,
    receivedMs: SHELLY_MINUTE_MS + 600_000,
    readings: [
      r('shelly/p1/switch:0/active_power', 12.3, SHELLY_MINUTE_MS + 60_000, 'estimated'),
      r('shelly/p1/switch:0/voltage', 230.1, SHELLY_MINUTE_MS + 60_000, 'estimated'),
      r('shelly/p1/switch:0/current', 0.05, SHELLY_MINUTE_MS + 60_000, 'estimated'),
      r('shelly/p1/switch:0/frequency', 50, SHELLY_MINUTE_MS + 60_000, 'estimated'),
      r('shelly/p1/switch:0/energy_import', 1234.5, SHELLY_MINUTE_MS + 60_000, 'estimated'),
      r('shelly/p1/switch:0/temperature', 41.2, SHELLY_MINUTE_MS + 60_000, 'estimated'),
    ],
  },
  {
    name: 'shelly gen2: PM mini pm1:0 with returned energy',
    topic: 'plus/pm-mini/status/pm1:0',
    payload: '{"id":0,"voltage":231.2,"current":0.2,"apower":-40.5,"freq":50,"aenergy":{"total":10},"ret_aenergy":{"total":2.5}}',
    readings: [
      r('shelly/pm-mini/pm1:0/active_power', -40.5),
      r('shelly/pm-mini/pm1:0/voltage', 231.2),
      r('shelly/pm-mini/pm1:0/current', 0.2),
      r('shelly/pm-mini/pm1:0/frequency', 50),
      r('shelly/pm-mini/pm1:0/energy_import', 10),
      r('shelly/pm-mini/pm1:0/energy_export', 2.5),
    ],
  },
  {
    name: 'shelly gen2: text apower refused, the rest kept',
    topic: 'plus/p1/status/switch:0',
    payload: '{"id":0,"apower":"n/a","aenergy":{"total":5}}',
    readings: [r('shelly/p1/switch:0/energy_import', 5)],
    rejections: ['"n/a" at apower is not a number'],
  },
  { name: 'shelly gen2: sys status ignored', topic: 'plus/p1/status/sys', payload: '{"mac":"A8032AB12345"}', readings: [] },
  {
    name: 'shelly gen1: relay power in W',
    topic: 'shellies/shellyplug-s-7C87CE/relay/0/power',
    payload: '45.67',
    readings: [r('shelly/shellyplug-s-7C87CE/relay/0/active_power', 45.67)],
  },
  {
    name: 'shelly gen1: energy in watt-minutes → Wh',
    topic: 'shellies/shellyplug-s-7C87CE/relay/0/energy',
    payload: '74070',
    readings: [r('shelly/shellyplug-s-7C87CE/relay/0/energy_import', 1234.5)],
  },
  {
    name: 'shelly gen1: negative energy refused',
    topic: 'shellies/s1/relay/0/energy',
    payload: '-5',
    readings: [],
    rejections: ['payload is -5 watt-minutes: an energy counter cannot be negative'],
  },
  { name: 'shelly gen1: other relay topics ignored', topic: 'shellies/s1/relay/0/overpower_value', payload: '3500', readings: [] },

  // ---- OpenDTU
  {
    name: 'opendtu: AC power',
    topic: 'solar/114182912345/0/power',
    payload: '245.3',
    readings: [r('opendtu/114182912345/ac/active_power', 245.3)],
  },
  {
    name: 'opendtu: yieldtotal kWh → Wh',
    topic: 'solar/114182912345/0/yieldtotal',
    payload: '1234.567',
    readings: [r('opendtu/114182912345/ac/energy', 1234567)],
  },
  {
    name: 'opendtu: yieldday already Wh',
    topic: 'solar/114182912345/0/yieldday',
    payload: '1523',
    readings: [r('opendtu/114182912345/ac/energy_today', 1523)],
  },
  {
    name: 'opendtu: DC power of string 2',
    topic: 'solar/114182912345/2/power',
    payload: '120.1',
    readings: [r('opendtu/114182912345/dc/2/active_power', 120.1)],
  },
  { name: 'opendtu: status topic ignored', topic: 'solar/114182912345/status/reachable', payload: '1', readings: [] },
  { name: 'opendtu: irradiation (not W/m²) ignored', topic: 'solar/114182912345/1/irradiation', payload: '35.2', readings: [] },
  {
    name: 'opendtu: unit suffix refused',
    topic: 'solar/114182912345/0/power',
    payload: '245 W',
    readings: [],
    rejections: ['payload "245 W": expected a plain number in W'],
  },
  {
    name: 'opendtu: empty payload refused',
    topic: 'solar/114182912345/0/power',
    payload: '',
    readings: [],
    rejections: ['payload "" is not a number'],
  },

  // ---- no mapping
  { name: 'unmapped topic → not matched', topic: 'other/thing', payload: '1', readings: [], matched: false },
];

describe('decodeMessage', () => {
  it.each(CASES)('$name', ({ topic, payload, receivedMs, readings, rejections = [], matched = true }) => {
    const out = decodeMessage(MAPPINGS, topic, Buffer.from(payload), receivedMs ?? RECV);
    expect(out.readings).toEqual(readings);
    expect(out.rejections.map((x) => x.reason)).toEqual(rejections.map((x) => (typeof x === 'string' ? x : expect.stringMatching(x))));
    for (const rej of out.rejections) {
      expect(rej.field).toBe(topic);
      expect(rej.raw).toBe(payload.slice(0, 500));
    }
    expect(out.matched).toBe(matched);
  });

  it('cuts the raw payload kept with a rejection to 500 characters', () => {
    const out = decodeMessage(MAPPINGS, 'meter/m1/power', 'x'.repeat(2000), RECV);
    expect(out.rejections[0]!.raw).toHaveLength(500);
  });
});

describe('compileMappings', () => {
  const base = { topic: 'a/+/b', format: 'number', series: { seriesKey: 'k/{1}', unit: 'W' } };
  it.each([
    { name: 'unknown unit', def: { ...base, series: { seriesKey: 'k', unit: 'kX' } }, error: 'series.unit: unknown unit "kX"' },
    {
      name: 'template refers to a capture the topic does not have',
      def: { ...base, series: { seriesKey: 'k/{2}', unit: 'W' } },
      error: 'series.seriesKey: "k/{2}" refers to {2} but topic "a/+/b" has 1 wildcard level(s)',
    },
    { name: "'#' not last", def: { ...base, topic: 'a/#/b' }, error: `topic: '#' must be a whole level and the last one (in "a/#/b")` },
    { name: "'+' inside a level", def: { ...base, topic: 'a/b+' }, error: `topic: '+' must be a whole level (in "a/b+")` },
    { name: 'unknown format', def: { ...base, format: 'modbus' }, error: /^0\.format: / },
    {
      name: 'unknown time zone',
      def: { topic: 't/+/SENSOR', format: 'tasmota', series: { prefix: 't/{1}' }, timeZone: 'Europe/Bonn' },
      error: 'timeZone: unknown time zone "Europe/Bonn" (use an IANA name like Europe/Berlin)',
    },
    { name: 'typo in a field name', def: { ...base, serie: {} }, error: /^0: Unrecognized key: "serie"$/ },
    { name: 'json without series entries', def: { topic: 'a', format: 'json', series: [] }, error: /^0\.series: / },
  ])('refuses: $name', ({ def, error }) => {
    const c = compileMappings([def]);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.errors).toContainEqual(typeof error === 'string' ? `0.${error}` : expect.stringMatching(error));
  });

  it('energy series default to cumulative, power to instantaneous; explicit semantics wins', () => {
    const ms = compile([
      base,
      { ...base, series: { seriesKey: 'e', unit: 'kWh' } },
      { ...base, series: { seriesKey: 'e', unit: 'Wh', semantics: 'interval' } },
    ]);
    expect(ms.map((m) => m.semantics[0])).toEqual(['instantaneous', 'cumulative', 'interval']);
    expect(ms[1]!.units[0]!.factor).toBe(1000);
  });

  it('lists each topic filter once for subscribing', () => {
    expect(subscriptionTopics(MAPPINGS)).toHaveLength(8);
    expect(subscriptionTopics(compile([base, base]))).toEqual(['a/+/b']);
  });
});

describe('matchTopic', () => {
  it.each([
    { filter: 'tele/+/SENSOR', topic: 'tele/plug/SENSOR', captures: ['plug'] },
    { filter: 'tele/+/SENSOR', topic: 'tele/plug/STATE', captures: undefined },
    { filter: 'tele/+/SENSOR', topic: 'tele/a/b/SENSOR', captures: undefined },
    { filter: 'a/+', topic: 'a/', captures: [''] },
    { filter: 'solar/#', topic: 'solar/123/0/power', captures: ['123/0/power'] },
    { filter: 'solar/#', topic: 'solar', captures: [''] },
    { filter: '#', topic: '$SYS/broker/uptime', captures: undefined },
    { filter: '+/status/+', topic: 'shelly1/status/switch:0', captures: ['shelly1', 'switch:0'] },
    { filter: 'a/b', topic: 'a/b', captures: [] },
  ])('$filter vs $topic', ({ filter, topic, captures }) => {
    expect(matchTopic(filter, topic)).toEqual(captures);
  });
});

describe('backoffDelayMs', () => {
  it.each([
    { attempt: 0, ms: 500 },
    { attempt: 1, ms: 1000 },
    { attempt: 5, ms: 16_000 },
    { attempt: 6, ms: 30_000 },
    { attempt: 1000, ms: 30_000 },
  ])('attempt $attempt → $ms ms', ({ attempt, ms }) => {
    expect(backoffDelayMs(attempt, 500, 30_000)).toBe(ms);
  });
});
