/**
 * Against a real OPC UA server: node-opcua's own OPCUAServer (node-opcua-server, a separate
 * package from the client the driver uses) started in this process with the variables of
 * devices/models/opcua-battery-controller.json.
 */
import { createServer } from 'node:net';
import { DataType, StatusCodes, Variant } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeviceModels } from '../catalog.js';
import { parseDeviceConfig, type OpcuaModel } from '../definition.js';
import type { DeviceBatch, DeviceSink } from '../driver.js';
import { createDriver } from '../registry.js';
import type { OpcuaDriver } from './driver.js';

const model = loadDeviceModels().models.get('opcua-battery-controller') as OpcuaModel;

const plc = { PowerKw: 2.5, SocPct: 64, EnergyOutWh: 1_234_000, PowerSetpointKw: 0, RevertTimeoutS: 0 };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startServer(port: number): Promise<OPCUAServer> {
  const server = new OPCUAServer({ port, resourcePath: '/UA/luna', allowAnonymous: true });
  await server.initialize();
  const space = server.engine.addressSpace!;
  const ns = space.getOwnNamespace();
  const battery = ns.addObject({ organizedBy: space.rootFolder.objects, browseName: 'Battery' });
  const types: Record<keyof typeof plc, DataType> = {
    PowerKw: DataType.Double,
    SocPct: DataType.Double,
    EnergyOutWh: DataType.UInt32,
    PowerSetpointKw: DataType.Double,
    RevertTimeoutS: DataType.UInt32,
  };
  for (const name of Object.keys(plc) as Array<keyof typeof plc>)
    ns.addVariable({
      componentOf: battery,
      browseName: name,
      nodeId: `s=Battery.${name}`,
      dataType: DataType[types[name]],
      accessLevel: 'CurrentRead | CurrentWrite',
      userAccessLevel: 'CurrentRead | CurrentWrite',
      minimumSamplingInterval: 100,
      value: {
        get: () => new Variant({ dataType: types[name], value: plc[name] }),
        set: (v: Variant) => {
          plc[name] = v.value as number;
          return StatusCodes.Good;
        },
      },
    });
  await server.start();
  return server;
}

const batches: DeviceBatch[] = [];
const sink: DeviceSink = {
  submit: async (b) => {
    batches.push(b);
  },
};
const latest = (key: string) =>
  batches
    .flatMap((b) => b.readings)
    .filter((r) => r.seriesKey === key)
    .at(-1);

async function until(cond: () => boolean, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OPC UA driver against a real OPC UA server', () => {
  let port: number;
  let server: OPCUAServer | undefined;
  let driver: OpcuaDriver;

  beforeAll(async () => {
    port = await freePort();
    server = await startServer(port);
    const cfg = parseDeviceConfig(
      {
        id: 'bat1',
        siteId: 'site-a',
        model: model.id,
        protocol: 'opcua',
        connection: {
          endpointUrl: `opc.tcp://127.0.0.1:${port}/UA/luna`,
          samplingIntervalMs: 100,
          publishingIntervalMs: 100,
          reconnectMinMs: 100,
          reconnectMaxMs: 500,
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
    await server?.shutdown(0);
  });

  it('reads and subscribes: values reach the sink in canonical units', async () => {
    await until(() => driver.health().state === 'online' && latest('bat1/energy_export') !== undefined);
    expect(latest('bat1/active_power')).toMatchObject({ value: 2500, quantity: 'active_power', semantics: 'instantaneous' });
    expect(latest('bat1/state_of_charge')).toMatchObject({ value: 64 });
    expect(latest('bat1/energy_export')).toMatchObject({ value: 1_234_000, semantics: 'cumulative' });
    plc.PowerKw = -1.25;
    await until(() => latest('bat1/active_power')?.value === -1250);
    const h = driver.health();
    expect(h.lastValueMs).not.toBeNull();
    expect(h.detail).toMatchObject({ monitoredItems: 3 });
  });

  it('browses the objects folder and the device object', async () => {
    const top = await driver.browse();
    const bat = top.find((n) => n.browseName.endsWith('Battery'));
    expect(bat).toBeDefined();
    const children = await driver.browse(bat!.nodeId);
    expect(children.map((c) => c.nodeId).sort()).toEqual(
      ['EnergyOutWh', 'PowerKw', 'PowerSetpointKw', 'RevertTimeoutS', 'SocPct'].map((n) => `ns=1;s=Battery.${n}`),
    );
    expect(children[0]!.nodeClass).toBe('Variable');
  });

  it('writes the revert timeout and the setpoint; refuses out-of-limit values', async () => {
    const out = await driver.write('power_setpoint_kw', -4.5, { revertTimeoutS: 60 });
    expect(out).toMatchObject({ raw: -4.5, revertTimeoutS: 60 });
    expect(plc.PowerSetpointKw).toBe(-4.5);
    expect(plc.RevertTimeoutS).toBe(60);
    await expect(driver.write('power_setpoint_kw', 11, { revertTimeoutS: 60 })).rejects.toMatchObject({ reason: 'out_of_range' });
    await expect(driver.write('nope', 1, { revertTimeoutS: 60 })).rejects.toMatchObject({ reason: 'unknown_setpoint' });
    expect(plc.PowerSetpointKw).toBe(-4.5);
  });

  it('goes offline when the server stops and recovers when it restarts', async () => {
    await server!.shutdown(0);
    server = undefined;
    await until(() => driver.health().state === 'offline');
    expect(driver.health().errors.connection).toBeGreaterThan(0);
    await expect(driver.write('power_setpoint_kw', 1, { revertTimeoutS: 60 })).rejects.toMatchObject({ reason: 'not_connected' });
    plc.SocPct = 70;
    server = await startServer(port);
    await until(() => driver.health().state === 'online' && latest('bat1/state_of_charge')?.value === 70, 15_000);
    plc.SocPct = 71;
    await until(() => latest('bat1/state_of_charge')?.value === 71);
  }, 25_000);
});

describe('OPC UA value helpers (pure)', () => {
  it('turns node values into numbers and policy names into URIs', async () => {
    const { numericValue, securityPolicyUri } = await import('./driver.js');
    expect(numericValue(3.5)).toEqual({ ok: true, value: 3.5 });
    expect(numericValue(true)).toEqual({ ok: true, value: 1 });
    expect(numericValue([1, 5])).toEqual({ ok: true, value: 2 ** 32 + 5 });
    expect(numericValue('x')).toMatchObject({ ok: false, reason: expect.stringMatching(/not numeric/) });
    expect(securityPolicyUri('Basic256Sha256')).toBe('http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256');
    expect(securityPolicyUri('http://opcfoundation.org/UA/SecurityPolicy#None')).toBe('http://opcfoundation.org/UA/SecurityPolicy#None');
  });
});
