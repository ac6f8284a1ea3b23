/** `npm run simulator` options: defaults, values, and one clear line for each bad one. */
import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from './simulator-args.js';

describe('parseSimulatorArgs', () => {
  it('has defaults that serve Modbus on 127.0.0.1:1502 in real time without MQTT', () => {
    expect(parseSimulatorArgs([])).toEqual({
      ok: true,
      args: {
        speed: 1,
        host: '127.0.0.1',
        modbusPort: 1502,
        pvUnitId: 1,
        batteryUnitId: 2,
        mqttUrl: undefined,
        mqttUsername: undefined,
        mqttPassword: undefined,
        prefix: 'luna-sim/demo',
        startMs: undefined,
        socPct: 50,
        meterIntervalS: 5,
        statusEveryS: 10,
        durationS: 0,
      },
    });
  });

  it('reads every option', () => {
    const r = parseSimulatorArgs(
      '--speed 60 --host 0.0.0.0 --modbus-port 15020 --pv-unit 3 --battery-unit 4 --mqtt-url mqtt://127.0.0.1:1883 --prefix site1/ --start 2026-06-15T00:00:00Z --soc 20 --meter-interval 1 --status-every 0 --duration 30'.split(
        ' ',
      ),
    );
    expect(r).toMatchObject({
      ok: true,
      args: {
        speed: 60,
        host: '0.0.0.0',
        modbusPort: 15020,
        pvUnitId: 3,
        batteryUnitId: 4,
        mqttUrl: 'mqtt://127.0.0.1:1883',
        prefix: 'site1',
        startMs: Date.parse('2026-06-15T00:00:00Z'),
        socPct: 20,
        meterIntervalS: 1,
        statusEveryS: 0,
        durationS: 30,
      },
    });
  });

  it.each([
    [['--speed', '0'], '--speed must be a number > 0 and ≤ 86400 (got "0")'],
    [['--modbus-port', '70000'], '--modbus-port must be a port 0–65535 (got "70000")'],
    [['--pv-unit', '2'], '--pv-unit and --battery-unit must differ (both 2)'],
    [['--start', '2026-06-15 00:00'], '--start must be an ISO time with a zone, e.g. 2026-06-15T00:00:00Z (got "2026-06-15 00:00")'],
    [['--mqtt-url', 'localhost:1883'], '--mqtt-url must start with mqtt:// or mqtts:// (got "localhost:1883")'],
    [['--soc', '101', '--speed', 'fast'], '--speed must be a number > 0 and ≤ 86400 (got "fast"); --soc must be 0–100 (got "101")'],
  ])('refuses %j', (argv, error) => {
    expect(parseSimulatorArgs(argv)).toEqual({ ok: false, error });
  });

  it('refuses unknown options', () => {
    const r = parseSimulatorArgs(['--sped', '2']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/--sped/);
  });
});
