/**
 * A plain Modbus device definition against pymodbus (independent peer) with a gap in its map:
 * the illegal-address reply degrades the device, the good points reach the store through the
 * real writer, the bad ones never do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../ops/logger.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { services } from '../../test/services.js';
import { loadDeviceModels } from '../catalog.js';
import { parseDeviceConfig, type ModbusModel } from '../definition.js';
import { deviceWriterSink } from '../sink.js';
import { startPymodbusPeer, type PymodbusPeer } from '../test/pymodbus.js';
import { ModbusDriver } from './driver.js';

const model = loadDeviceModels().models.get('generic-modbus-battery') as ModbusModel;

describe.skipIf(!services.python)('plain Modbus against pymodbus, through the writer into the store', () => {
  let peer: PymodbusPeer;
  let t: TestApp;

  beforeAll(async () => {
    const registers = new Map<number, number>([
      [100, 0x10000 - 2500], // power -2500, SF register 101 = -1 → -250 W
      [101, 0xffff],
      [102, 1500], // soc 150 %: above max 100, must not be stored
      [104, 0x0001],
      [105, 0x86a0], // 1000 kWh
      [106, 0],
      [107, 12345], // 123.45 kWh
      // 110 (temperature) missing: illegal data address
    ]);
    [peer, t] = await Promise.all([startPymodbusPeer(services.python!, { registers }), startTestApp()]);
    await t.app.db.query(`insert into sites (id, name) values ('dev-site', 'Device test site') on conflict do nothing`);
  }, 60_000);

  afterAll(async () => {
    await peer?.stop();
    await t?.close();
  });

  it('degrades on the gap, stores only the good values, quarantines the bad one', async () => {
    const cfg = parseDeviceConfig(
      {
        id: 'bat',
        siteId: 'dev-site',
        model: model.id,
        protocol: 'modbus',
        connection: { host: '127.0.0.1', port: peer.port, timeoutMs: 2000 },
      },
      model,
    );
    if (!cfg.ok) throw new Error(cfg.errors.join('; '));
    const sink = deviceWriterSink(t.app.db, t.app.writer, createLogger('silent'));
    const driver = new ModbusDriver(cfg.value as never, model, sink);
    const batch = await driver.poll();
    await driver.poll();
    await driver.stop();
    await sink.close();
    await t.app.writer.flush();

    const h = driver.health();
    expect(h.state).toBe('stopped');
    expect(h.exceptions['2']).toBeGreaterThan(0);
    expect(h.errors.decode).toBe(2); // soc over its limit, twice
    expect(batch.rejections.map((r) => r.reason)).toEqual([expect.stringMatching(/soc: 150 % is above the limit 100/)]);

    const { rows } = await t.app.db.query<{ key: string; value: number }>(
      `select s.key, r.value from readings r join series s on s.id = r.series_id where s.site_id = 'dev-site' order by s.key, r.ts`,
    );
    const keys = [...new Set(rows.map((r) => r.key))];
    expect(keys).toEqual(['bat/active_power', 'bat/energy_export', 'bat/energy_import']);
    expect(rows.filter((r) => r.key === 'bat/active_power').every((r) => r.value === -250)).toBe(true);
    expect(rows.filter((r) => r.key === 'bat/energy_import').every((r) => r.value === 1_000_000)).toBe(true);
    const q = await t.app.db.query<{ reason: string }>(`select reason from quarantine where site_id = 'dev-site' and source = 'device'`);
    expect(q.rows.map((r) => r.reason)).toEqual([expect.stringMatching(/soc: 150 % is above the limit 100/)]); // the repeat is not quarantined twice
  }, 30_000);
});
