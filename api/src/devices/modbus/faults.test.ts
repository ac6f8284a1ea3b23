/**
 * The Modbus client and the polling driver against a misbehaving server (slow, silent, truncated
 * frames, garbage headers, dropped connections, illegal addresses) — each gives a clear device
 * state and recovers by itself; bad values become rejections, never readings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDeviceModels } from '../catalog.js';
import { parseDeviceConfig, type ModbusModel } from '../definition.js';
import type { DeviceBatch, DeviceSink } from '../driver.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusProtocolError, ModbusTcpClient, ModbusTimeoutError } from './client.js';
import { ModbusDriver } from './driver.js';
import { ModbusTestServer } from './server.js';

const model = loadDeviceModels().models.get('generic-modbus-battery') as ModbusModel;

/** generic-modbus-battery's map: power int16 + SF register, soc 0.1 %, counters uint32 0.01 kWh, temperature 0.1 °C */
function fill(server: ModbusTestServer): void {
  server.set(100, [0x10000 - 2500, 0xffff]); // -2500 × 10^-1 = -250 W
  server.set(102, [573]); // 57.3 %
  server.set(104, [0x0001, 0x86a0]); // 100000 × 0.01 = 1000 kWh
  server.set(106, [0, 12345]); // 123.45 kWh
  server.set(110, [0x10000 - 55]); // -5.5 °C
  server.set(200, [0, 0, 0, 0], true); // setpoint, revert, enable
}

class CaptureSink implements DeviceSink {
  batches: DeviceBatch[] = [];
  async submit(batch: DeviceBatch): Promise<void> {
    this.batches.push(batch);
  }
  get readings() {
    return this.batches.flatMap((b) => b.readings);
  }
  get rejections() {
    return this.batches.flatMap((b) => b.rejections);
  }
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Modbus TCP client', () => {
  let server: ModbusTestServer;
  let client: ModbusTcpClient;
  beforeEach(async () => {
    server = new ModbusTestServer();
    fill(server);
    await server.listen();
    client = new ModbusTcpClient({ host: '127.0.0.1', port: server.port, unitId: 1, timeoutMs: 600 });
    await client.connect();
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('reads holding and input registers and writes single and multiple registers', async () => {
    expect(Array.from(await client.readHoldingRegisters(100, 3))).toEqual([0x10000 - 2500, 0xffff, 573]);
    expect(Array.from(await client.readInputRegisters(102, 1))).toEqual([573]);
    await client.writeSingleRegister(202, 60);
    await client.writeMultipleRegisters(200, [1, 2]);
    expect(server.get(200, 3)).toEqual([1, 2, 60]);
  });

  it('reports an exception reply with its code and stays connected', async () => {
    const err = await client.readHoldingRegisters(300, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).exceptionCode).toBe(2);
    expect((err as Error).message).toMatch(/illegal data address/);
    await expect(client.writeSingleRegister(102, 1)).rejects.toThrow(/exception 2/); // not writable
    expect(client.connected).toBe(true);
    expect(Array.from(await client.readHoldingRegisters(102, 1))).toEqual([573]);
  });

  it('matches pipelined replies by transaction id', async () => {
    const pipelined = new ModbusTcpClient({ host: '127.0.0.1', port: server.port, unitId: 1, timeoutMs: 500, maxInFlight: 8 });
    await pipelined.connect();
    const reads = await Promise.all([100, 102, 104, 106, 110, 100, 102].map((a) => pipelined.readHoldingRegisters(a, 1)));
    expect(reads.map((r) => r[0])).toEqual([0x10000 - 2500, 573, 1, 0, 0x10000 - 55, 0x10000 - 2500, 573]);
    pipelined.close();
  });

  it('times out on a slow server and drops the late reply', async () => {
    server.fault = 'slow';
    server.delayMs = 1200;
    await expect(client.readHoldingRegisters(102, 1)).rejects.toBeInstanceOf(ModbusTimeoutError);
    server.fault = 'none';
    await new Promise((r) => setTimeout(r, 900)); // the late reply arrives and is dropped
    expect(Array.from(await client.readHoldingRegisters(100, 1))).toEqual([0x10000 - 2500]);
    expect(client.stats.lateReplies).toBe(1);
  });

  it('closes the connection after a truncated frame, so later replies cannot be misread', async () => {
    server.fault = 'truncate';
    await expect(client.readHoldingRegisters(100, 3)).rejects.toBeInstanceOf(ModbusTimeoutError);
    expect(client.connected).toBe(false);
  });

  it('fails with a protocol error on a garbage header and a connection error when dropped', async () => {
    server.fault = 'garbage';
    await expect(client.readHoldingRegisters(100, 1)).rejects.toBeInstanceOf(ModbusProtocolError);
    expect(client.connected).toBe(false);
    server.fault = 'drop';
    await client.connect();
    await expect(client.readHoldingRegisters(100, 1)).rejects.toBeInstanceOf(ModbusConnectionError);
  });
});

describe('Modbus driver: device states and recovery', () => {
  let server: ModbusTestServer;
  let sink: CaptureSink;
  let driver: ModbusDriver;

  beforeEach(async () => {
    server = new ModbusTestServer();
    fill(server);
    await server.listen();
    sink = new CaptureSink();
    const cfg = parseDeviceConfig(
      {
        id: 'bat',
        siteId: 'site-a',
        model: model.id,
        protocol: 'modbus',
        connection: { host: '127.0.0.1', port: server.port, timeoutMs: 500, pollIntervalMs: 50, reconnectMinMs: 50, reconnectMaxMs: 200 },
      },
      model,
    );
    if (!cfg.ok) throw new Error(cfg.errors.join('; '));
    driver = new ModbusDriver(cfg.value as never, model, sink);
  });
  afterEach(async () => {
    await driver.stop();
    await server.close();
  });

  it('reads the definition into canonical readings (scale-factor register, scale, signed, 32-bit)', async () => {
    const batch = await driver.poll();
    expect(Object.fromEntries(batch.readings.map((r) => [r.seriesKey, r.value]))).toEqual({
      'bat/active_power': -250,
      'bat/state_of_charge': 57.3,
      'bat/energy_import': 1_000_000,
      'bat/energy_export': 123_450,
      'bat/temperature': -5.5,
    });
    expect(driver.health().state).toBe('online');
  });

  it('a slow device: degraded after one timeout, offline after two, online again when it answers', async () => {
    await driver.start();
    await until('online', () => driver.health().state === 'online');
    server.fault = 'slow';
    server.delayMs = 1500;
    await until('degraded', () => driver.health().state === 'degraded');
    const h = await until('offline', () => (driver.health().state === 'offline' ? driver.health() : undefined));
    expect(h.errors.timeout).toBeGreaterThanOrEqual(2);
    expect(h.lastError?.kind).toBe('timeout');
    server.fault = 'none';
    await until('online again', () => driver.health().state === 'online');
  });

  it('a dropped connection: offline, then reconnects with backoff', async () => {
    await driver.start();
    await until('online', () => driver.health().state === 'online');
    server.fault = 'drop';
    const h = await until('offline', () => (driver.health().state === 'offline' ? driver.health() : undefined));
    expect(h.lastError?.kind).toBe('connection');
    const before = sink.readings.length;
    server.fault = 'none';
    await until('online again', () => driver.health().state === 'online');
    await until('readings again', () => sink.readings.length > before);
  });

  it('truncated frames and garbage headers: offline with the reason, then online', async () => {
    await driver.start();
    await until('online', () => driver.health().state === 'online');
    server.fault = 'garbage';
    const g = await until('offline (garbage)', () => (driver.health().state === 'offline' ? driver.health() : undefined));
    expect(g.lastError?.kind).toBe('protocol');
    server.fault = 'none';
    await until('online', () => driver.health().state === 'online');
    server.fault = 'truncate';
    await until('offline (truncated)', () => driver.health().state === 'offline');
    server.fault = 'none';
    await until('online', () => driver.health().state === 'online');
  });

  it('an illegal-address reply: degraded with exception 2 counted, the other points still stored; online when the register returns', async () => {
    server.registers.delete(110); // temperature gone
    await driver.start();
    const h = await until('degraded', () => (driver.health().state === 'degraded' ? driver.health() : undefined));
    expect(h.exceptions['2']).toBeGreaterThan(0);
    expect(h.lastError?.message).toMatch(/illegal data address/);
    await until('a reading', () => sink.readings.length > 0);
    expect(sink.readings.some((r) => r.seriesKey === 'bat/temperature')).toBe(false);
    expect(sink.readings.some((r) => r.seriesKey === 'bat/state_of_charge' && r.value === 57.3)).toBe(true);
    server.set(110, [0x10000 - 55]);
    // the isolated address is read alone and comes back
    await until('online', () => driver.health().state === 'online');
    await until('temperature', () => sink.readings.some((r) => r.seriesKey === 'bat/temperature' && r.value === -5.5));
  });

  it('stops bridging gaps once a bridged gap is an illegal address (fewer requests, no errors)', async () => {
    // the map has no registers 103, 108, 109: the first poll's bridged block fails, every point alone works
    const before = server.requests;
    const first = await driver.poll();
    const firstRequests = server.requests - before;
    const second = await driver.poll();
    const secondRequests = server.requests - before - firstRequests;
    expect(first.readings.length).toBe(5);
    expect(second.readings.length).toBe(5);
    expect(firstRequests).toBe(7); // one bridged block + six ranges alone
    expect(secondRequests).toBe(3); // 100–102, 104–107, 110
    expect(driver.health()).toEqual(expect.objectContaining({ state: 'online', exceptions: {} }));
  });

  it('bad values are rejections and never readings; not-implemented registers are skipped', async () => {
    server.set(102, [1500]); // 150 %: above the point's max 100
    server.set(101, [0x8000]); // power's scale factor not implemented
    server.set(110, [0x8000]); // temperature: int16 not implemented
    const batch = await driver.poll();
    const keys = batch.readings.map((r) => r.seriesKey).sort();
    expect(keys).toEqual(['bat/energy_export', 'bat/energy_import']);
    expect(batch.rejections.map((r) => r.reason)).toEqual([
      expect.stringMatching(/point power: scale factor register 101 is not implemented/),
      expect.stringMatching(/point soc: 150 % is above the limit 100/),
    ]);
    expect(driver.health().state).toBe('degraded');
  });

  it('writes a setpoint: revert timeout first, then the value, then enable; refuses out-of-range values', async () => {
    const writes: Array<[number, number[]]> = [];
    server.fault = 'none';
    await driver.poll();
    const orig = server.set.bind(server);
    server.set = (a: number, v: ArrayLike<number>, w?: boolean) => {
      writes.push([a, Array.from(v)]);
      orig(a, v, w);
    };
    const out = await driver.write('power_setpoint_w', -7000, { revertTimeoutS: 60 });
    expect(out.raw).toBe(-7000);
    expect(writes).toEqual([
      [202, [60]],
      [200, [0xffff, 0x10000 - 7000]],
      [203, [1]],
    ]);
    await expect(driver.write('power_setpoint_w', 20000, { revertTimeoutS: 60 })).rejects.toThrow(/outside -10000..10000/);
    await expect(driver.write('power_setpoint_w', 100, { revertTimeoutS: 901 })).rejects.toThrow(/1..900/);
    await expect(driver.write('nope', 1, { revertTimeoutS: 60 })).rejects.toThrow(/no setpoint "nope"/);
  });
});
