/**
 * Against an independent OPC UA server: asyncua's `uaserver --populate` from PyPI (installed by
 * `scripts/services up python`, path in LUNA_PYTHON). Its sample address space has
 * Objects/MyObject (ns=2;i=1) with MyVariable (ns=2;i=3, changes every second) and
 * MyWritableVariable (ns=2;i=2, Double, 6.7). Skipped, never passed, without the venv.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../test/services.js';
import { parseDeviceConfig, parseDeviceModel, type OpcuaModel } from '../definition.js';
import type { DeviceBatch, DeviceSink } from '../driver.js';
import { createDriver } from '../registry.js';
import type { OpcuaDriver } from './driver.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const parsed = parseDeviceModel({
  id: 'asyncua-sample',
  name: 'asyncua sample server',
  manufacturer: 'FreeOpcUa (asyncua)',
  protocol: 'opcua',
  points: [{ name: 'value', quantity: 'active_power', unit: 'kW', source: { nodeId: 'ns=2;i=3', samplingIntervalMs: 200 } }],
  setpoints: [
    {
      name: 'writable',
      unit: 'kW',
      min: -100,
      max: 100,
      target: { nodeId: 'ns=2;i=2', dataType: 'Double' },
      revertTimeout: { none: 'sample server variable without a watchdog' },
    },
  ],
});

describe.skipIf(!services.python)('OPC UA driver against asyncua (independent server from PyPI)', () => {
  let server: ChildProcess | undefined;
  let driver: OpcuaDriver;
  const batches: DeviceBatch[] = [];
  const sink: DeviceSink = {
    submit: async (b) => {
      batches.push(b);
    },
  };
  const values = () => batches.flatMap((b) => b.readings).filter((r) => r.seriesKey === 'ua1/active_power');

  beforeAll(async () => {
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const model = parsed.value as OpcuaModel;
    const port = await freePort();
    const uaserver = join(dirname(services.python!), 'uaserver');
    server = spawn(uaserver, ['--populate', '-u', `opc.tcp://127.0.0.1:${port}`, '-v', 'WARNING'], { stdio: 'ignore' });
    const cfg = parseDeviceConfig(
      {
        id: 'ua1',
        siteId: 'site-a',
        model: model.id,
        protocol: 'opcua',
        connection: {
          endpointUrl: `opc.tcp://127.0.0.1:${port}`,
          samplingIntervalMs: 200,
          publishingIntervalMs: 200,
          reconnectMinMs: 200,
          reconnectMaxMs: 1000,
        },
      },
      model,
    );
    if (!cfg.ok) throw new Error(cfg.errors.join('; '));
    driver = (await createDriver(cfg.value, model, sink)) as OpcuaDriver;
    await driver.start();
  }, 30_000);

  afterAll(async () => {
    await driver?.stop();
    server?.kill('SIGTERM');
  });

  it('comes online, browses the sample object and receives changing values by subscription', async () => {
    await until(() => driver.health().state === 'online' && values().length >= 3, 25_000);
    expect(new Set(values().map((r) => r.value)).size).toBeGreaterThan(1); // MyVariable changes every second
    // MyVariable starts at 6.7 (kW → 6700 W), then the server writes sin(t) each second (|v| ≤ 1 kW)
    for (const r of values()) expect(r.value === 6700 || Math.abs(r.value) <= 1000, `value ${r.value} W`).toBe(true);
    const top = await driver.browse();
    const obj = top.find((n) => n.browseName.endsWith('MyObject'));
    expect(obj?.nodeId).toBe('ns=2;i=1');
    const children = await driver.browse(obj!.nodeId);
    const variables = children.filter((c) => c.nodeClass === 'Variable' && c.browseName.startsWith('2:My'));
    expect(variables.map((c) => c.nodeId).sort()).toEqual(expect.arrayContaining(['ns=2;i=2', 'ns=2;i=3']));
  }, 30_000);

  it('writes a setpoint the server accepts and refuses an out-of-limit one before writing', async () => {
    const out = await driver.write('writable', 12.5, { revertTimeoutS: 60 });
    expect(out).toMatchObject({ raw: 12.5 });
    await expect(driver.write('writable', 1000, { revertTimeoutS: 60 })).rejects.toMatchObject({ reason: 'out_of_range' });
  });
});
