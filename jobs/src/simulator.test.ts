/**
 * `npm run simulator` as a process: serves the SunSpec inverters over Modbus TCP, publishes the
 * meter to a real broker (Mosquitto from scripts/services; skipped without MQTT_URL), and prints
 * the energy totals with the per-step balance on exit.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { ModbusTcpClient } from '../../api/src/devices/modbus/client.js';
import { services } from '../../api/src/test/services.js';

const SCRIPT = fileURLToPath(new URL('./simulator.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function run(args: string[]): { lines: string[]; exited: Promise<number | null>; line: (re: RegExp) => Promise<RegExpMatchArray> } {
  const child = spawn(TSX, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const take = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (waiters.splice(0).forEach((w) => w()), resolve(code))),
  );
  return {
    lines,
    exited,
    async line(re) {
      for (;;) {
        for (const l of lines) {
          const m = l.match(re);
          if (m) return m;
        }
        if (child.exitCode !== null)
          throw new Error(`simulator exited (${child.exitCode}) without a line matching ${re}:\n${lines.join('\n')}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

describe('npm run simulator', () => {
  it('serves both SunSpec inverters over Modbus TCP and reports a balanced run', async () => {
    const p = run(['--modbus-port', '0', '--speed', '600', '--status-every', '0', '--duration', '6', '--start', '2026-06-15T10:00:00Z']);
    const [, port] = await p.line(/Modbus TCP 127\.0\.0\.1:(\d+)/);
    for (const unitId of [1, 2]) {
      const c = new ModbusTcpClient({ host: '127.0.0.1', port: Number(port), unitId, timeoutMs: 2_000 });
      await c.connect();
      try {
        expect(Array.from(await c.readHoldingRegisters(40_000, 4))).toEqual([0x5375, 0x6e53, 1, 66]); // "SunS", model 1, length 66
      } finally {
        c.close();
      }
    }
    expect(await p.exited).toBe(0);
    const [, imbalance] = await p.line(/largest per-step imbalance (\S+) Wh/);
    expect(Number(imbalance)).toBeLessThan(1e-6);
    expect(p.lines.join('\n')).toMatch(/Modbus requests [1-9]\d* \(exceptions 0\)/);
  }, 60_000);

  it('refuses bad options with one line and exit code 2', async () => {
    const p = run(['--speed', '0']);
    expect(await p.exited).toBe(2);
    expect(p.lines[0]).toBe('simulator: --speed must be a number > 0 and ≤ 86400 (got "0")');
  }, 30_000);

  it.skipIf(!services.mqtt)(
    'publishes the main meter to the broker (Mosquitto)',
    async () => {
      const prefix = `luna-test-${randomBytes(4).toString('hex')}`;
      const sub = await mqtt.connectAsync(services.mqtt!, { reconnectPeriod: 0 });
      try {
        const got = new Promise<Record<string, number>>((resolve) =>
          sub.on('message', (topic, payload) => {
            if (topic === `${prefix}/grid`) resolve(JSON.parse(payload.toString()) as Record<string, number>);
          }),
        );
        await sub.subscribeAsync(`${prefix}/#`, { qos: 1 });
        const p = run([
          '--modbus-port',
          '0',
          '--mqtt-url',
          services.mqtt!,
          '--prefix',
          prefix,
          '--meter-interval',
          '0.5',
          '--status-every',
          '0',
          '--duration',
          '6',
        ]);
        const msg = await got;
        expect(Object.keys(msg).sort()).toEqual(['energy_export', 'energy_import', 'power', 'ts']);
        expect(Math.abs(msg.ts! - Date.now())).toBeLessThan(60_000); // speed 1: simulated time is now
        expect(await p.exited).toBe(0);
      } finally {
        await sub.endAsync();
      }
    },
    60_000,
  );
});
