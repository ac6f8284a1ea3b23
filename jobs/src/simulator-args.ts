/** Command-line options of `npm run simulator` — pure: argv → options or one line saying what is wrong. */
import { parseArgs } from 'node:util';

export interface SimulatorArgs {
  speed: number;
  host: string;
  modbusPort: number;
  pvUnitId: number;
  batteryUnitId: number;
  /** broker URL; undefined = no meter publishing */
  mqttUrl: string | undefined;
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  prefix: string;
  /** simulated start, epoch ms; undefined = now */
  startMs: number | undefined;
  socPct: number;
  /** wall seconds between meter messages */
  meterIntervalS: number;
  /** wall seconds between status lines on stdout (0 = none) */
  statusEveryS: number;
  /** stop after this many wall seconds (0 = run until SIGINT/SIGTERM) */
  durationS: number;
}

export const SIMULATOR_USAGE = `usage: npm run simulator -- [--speed 1] [--host 127.0.0.1] [--modbus-port 1502] [--pv-unit 1] [--battery-unit 2]
       [--mqtt-url mqtt://127.0.0.1:1883 [--mqtt-username U --mqtt-password P] [--prefix luna-sim/demo]]
       [--start 2026-06-15T00:00:00Z] [--soc 50] [--meter-interval 5] [--status-every 10] [--duration 0]`;

export function parseSimulatorArgs(argv: string[]): { ok: true; args: SimulatorArgs } | { ok: false; error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        speed: { type: 'string' },
        host: { type: 'string' },
        'modbus-port': { type: 'string' },
        'pv-unit': { type: 'string' },
        'battery-unit': { type: 'string' },
        'mqtt-url': { type: 'string' },
        'mqtt-username': { type: 'string' },
        'mqtt-password': { type: 'string' },
        prefix: { type: 'string' },
        start: { type: 'string' },
        soc: { type: 'string' },
        'meter-interval': { type: 'string' },
        'status-every': { type: 'string' },
        duration: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const problems: string[] = [];
  const num = (name: keyof typeof parsed, fallback: number, ok: (n: number) => boolean, rule: string): number => {
    const raw = parsed[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || !ok(n)) problems.push(`--${name} ${rule} (got "${raw}")`);
    return n;
  };
  const int = (lo: number, hi: number) => (n: number) => Number.isInteger(n) && n >= lo && n <= hi;
  const speed = num('speed', 1, (n) => n > 0 && n <= 86_400, 'must be a number > 0 and ≤ 86400');
  const modbusPort = num('modbus-port', 1502, int(0, 65535), 'must be a port 0–65535');
  const pvUnitId = num('pv-unit', 1, int(1, 247), 'must be a unit id 1–247');
  const batteryUnitId = num('battery-unit', 2, int(1, 247), 'must be a unit id 1–247');
  const socPct = num('soc', 50, (n) => n >= 0 && n <= 100, 'must be 0–100');
  const meterIntervalS = num('meter-interval', 5, (n) => n > 0, 'must be > 0');
  const statusEveryS = num('status-every', 10, (n) => n >= 0, 'must be ≥ 0');
  const durationS = num('duration', 0, (n) => n >= 0, 'must be ≥ 0');
  if (pvUnitId === batteryUnitId && !problems.length) problems.push(`--pv-unit and --battery-unit must differ (both ${pvUnitId})`);
  let startMs: number | undefined;
  if (parsed.start !== undefined) {
    startMs = Date.parse(parsed.start);
    if (Number.isNaN(startMs) || !/(Z|[+-]\d\d:\d\d)$/.test(parsed.start))
      problems.push(`--start must be an ISO time with a zone, e.g. 2026-06-15T00:00:00Z (got "${parsed.start}")`);
  }
  const mqttUrl = parsed['mqtt-url'];
  if (mqttUrl !== undefined && !/^(mqtts?|wss?|tcp):\/\/./.test(mqttUrl))
    problems.push(`--mqtt-url must start with mqtt:// or mqtts:// (got "${mqttUrl}")`);
  if (problems.length) return { ok: false, error: problems.join('; ') };
  return {
    ok: true,
    args: {
      speed,
      host: parsed.host ?? '127.0.0.1',
      modbusPort,
      pvUnitId,
      batteryUnitId,
      mqttUrl,
      mqttUsername: parsed['mqtt-username'],
      mqttPassword: parsed['mqtt-password'],
      prefix: (parsed.prefix ?? 'luna-sim/demo').replace(/\/+$/, ''),
      startMs,
      socPct,
      meterIntervalS,
      statusEveryS,
      durationS,
    },
  };
}
