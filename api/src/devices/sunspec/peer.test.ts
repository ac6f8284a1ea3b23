/**
 * SunSpec against an independent peer: pymodbus's simulator serving a register image encoded
 * here. Discovery, decoding (scale factors, not-implemented markers, signed values), writes with
 * revert timeout, an illegal-address reply, and a dropped connection that recovers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../test/services.js';
import { parseDeviceConfig, type DeviceModel } from '../definition.js';
import type { DeviceBatch, DeviceSink } from '../driver.js';
import { loadDeviceModels } from '../catalog.js';
import { ModbusExceptionError, ModbusTcpClient } from '../modbus/client.js';
import { imageRegisters, startPymodbusPeer, type PymodbusPeer } from '../test/pymodbus.js';
import { discover, readModel } from './discovery.js';
import { SunSpecDriver } from './driver.js';
import { decodeModel, encodeImage, type ModelInstance } from './image.js';
import { shippedSunSpecModels } from './models.js';

const models = shippedSunSpecModels();
const catalog = loadDeviceModels().models;

/** What the peer serves: a three-phase inverter with storage, MPPT and DER models. */
const INSTANCES: ModelInstance[] = [
  { id: 1, values: { Mn: 'Luna Test Inverters', Md: 'LT-10K', Vr: '1.2.3', SN: 'SN0042', DA: 1 } },
  {
    id: 103,
    values: {
      A: 43.21,
      AphA: 14.4,
      AphB: null,
      AphC: 14.41,
      A_SF: -2,
      PhVphA: 230.1,
      PhVphB: 229.9,
      PhVphC: 231,
      V_SF: -1,
      W: -9876,
      W_SF: 0,
      Hz: 49.98,
      Hz_SF: -2,
      VA: null,
      VA_SF: 0,
      VAr: -120,
      VAr_SF: 0,
      PF: -95.5,
      PF_SF: -1,
      WH: 1234567800,
      WH_SF: 1,
      DCA: 25.5,
      DCA_SF: -1,
      DCV: 612,
      DCV_SF: 0,
      DCW: 10100,
      DCW_SF: 1,
      TmpCab: -5.5,
      Tmp_SF: -1,
      St: 4,
      Evt1: 0,
    },
  },
  {
    id: 120,
    values: {
      DERTyp: 4,
      WRtg: 10000,
      WRtg_SF: 0,
      VARtg: 10000,
      VARtg_SF: 0,
      WHRtg: 20000,
      WHRtg_SF: 0,
      MaxChaRte: 5000,
      MaxChaRte_SF: 0,
      MaxDisChaRte: 5000,
      MaxDisChaRte_SF: 0,
    },
  },
  { id: 123, values: { WMaxLimPct: 100, WMaxLimPct_SF: -1, WMaxLimPct_RvrtTms: 0, WMaxLim_Ena: 0, Conn: 1 } },
  {
    id: 124,
    values: {
      WChaMax: 5000,
      WChaMax_SF: 0,
      ChaState: 57.3,
      ChaState_SF: -1,
      InBatV: 401.2,
      InBatV_SF: -1,
      StorCtl_Mod: 0,
      InWRte: 0,
      OutWRte: 0,
      InOutWRte_SF: -1,
      InOutWRte_RvrtTms: 0,
      ChaSt: 3,
    },
  },
  {
    id: 160,
    values: {
      DCA_SF: -2,
      DCV_SF: -1,
      DCW_SF: 0,
      DCWH_SF: 0,
      N: 2,
      module: [
        { ID: 1, IDStr: 'east', DCA: 8.5, DCV: 520.3, DCW: 4422, DCWH: 99000 },
        { ID: 2, IDStr: 'west', DCA: null, DCV: 0, DCW: 0, DCWH: null },
      ],
    },
  },
  {
    id: 701,
    values: {
      W: -2500,
      W_SF: 0,
      Var: 300,
      Var_SF: 0,
      Hz: 50.01,
      Hz_SF: -2,
      LNV: 230.5,
      V_SF: -1,
      TotWhInj: 5000000000,
      TotWhAbs: 12345,
      TotWh_SF: 0,
    },
  },
  { id: 704, values: { WMaxLimPctEna: 0, WMaxLimPct: 100, WMaxLimPctRvrtTms: 0, WMaxLimPct_SF: 0 } },
];
const BASE = 40000;
const image = encodeImage(models, INSTANCES, BASE);
const at = (id: number) => image.layout.find((l) => l.id === id)!.address;

/** writable: the control points the setpoints use */
function writableAddresses(): number[] {
  const out: number[] = [];
  const add = (id: number, from: number, to: number) => {
    for (let a = at(id) + from; a <= at(id) + to; a++) out.push(a);
  };
  add(123, 2, 25);
  add(124, 2, 25);
  add(704, 2, 60);
  return out;
}

class CaptureSink implements DeviceSink {
  batches: DeviceBatch[] = [];
  async submit(batch: DeviceBatch): Promise<void> {
    this.batches.push(batch);
  }
}

function device(model: DeviceModel, port: number, extra: Record<string, unknown> = {}) {
  const r = parseDeviceConfig(
    {
      id: 'inv1',
      siteId: 'site-a',
      model: model.id,
      protocol: 'sunspec',
      connection: { host: '127.0.0.1', port, timeoutMs: 1500, pollIntervalMs: 200, reconnectMinMs: 100, reconnectMaxMs: 400, ...extra },
    },
    model,
  );
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.value;
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!services.python)('SunSpec against a pymodbus peer', () => {
  let peer: PymodbusPeer;
  let client: ModbusTcpClient;
  const reader = { read: (a: number, n: number) => client.readHoldingRegisters(a, n) };

  beforeAll(async () => {
    peer = await startPymodbusPeer(services.python!, { registers: imageRegisters(BASE, image.registers), writable: writableAddresses() });
    client = new ModbusTcpClient({ host: '127.0.0.1', port: peer.port, unitId: 1, timeoutMs: 2000 });
    await client.connect();
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await peer?.stop();
  });

  it('discovers the marker at 40000 and every model of the chain', async () => {
    const d = await discover(reader, models, (e) => e instanceof ModbusExceptionError);
    expect(d.baseAddress).toBe(BASE);
    expect(d.models.map((m) => [m.id, m.address, m.length])).toEqual(image.layout.map((l) => [l.id, l.address, l.length]));
    expect(d.models.every((m) => m.known)).toBe(true);
  });

  it('skips bases that answer illegal address and finds the marker when told the base', async () => {
    const d = await discover(reader, models, (e) => e instanceof ModbusExceptionError, [0, 50000, 40000]);
    expect(d.baseAddress).toBe(BASE);
    await expect(discover(reader, models, (e) => e instanceof ModbusExceptionError, [0, 50000])).rejects.toThrow(
      /no SunSpec marker.*0: exception 2/,
    );
  });

  it('decodes every model exactly as the image says: scale factors, not-implemented, signed', async () => {
    const d = await discover(reader, models, (e) => e instanceof ModbusExceptionError);
    for (const m of d.models) {
      const fromPeer = await readModel(reader, models, m, 125);
      const fromImage = decodeModel(models.get(m.id)!, image.registers, m.address - BASE);
      expect(fromPeer.problems).toEqual([]);
      expect(fromPeer).toEqual(fromImage);
    }
    const inv = await readModel(
      reader,
      models,
      d.models.find((m) => m.id === 103)!,
      125,
    );
    const p = inv.root.points;
    expect([p.A!.value, p.AphA!.value, p.AphB!.value, p.AphC!.value]).toEqual([43.21, 14.4, null, 14.41]);
    expect(p.W!.value).toBe(-9876);
    expect(p.VAr!.value).toBe(-120);
    expect(p.VA!.value).toBeNull();
    expect(p.PF!.value).toBe(-95.5);
    expect(p.Hz!.value).toBe(49.98);
    expect(p.WH!.value).toBe(1234567800);
    expect(p.WH!.raw).toBe(123456780);
    expect(p.TmpCab!.value).toBe(-5.5);
    expect(p.TmpSnk!.value).toBeNull();
    const common = (await readModel(reader, models, d.models[0]!, 125)).root.points;
    expect(common.Mn!.value).toBe('Luna Test Inverters');
    expect(common.SN!.value).toBe('SN0042');
    const mppt = await readModel(
      reader,
      models,
      d.models.find((m) => m.id === 160)!,
      125,
    );
    expect(
      mppt.root.groups.module!.map((g) => [g.points.IDStr!.value, g.points.DCA!.value, g.points.DCV!.value, g.points.DCWH!.value]),
    ).toEqual([
      ['east', 8.5, 520.3, 99000],
      ['west', null, 0, null],
    ]);
    const der = (
      await readModel(
        reader,
        models,
        d.models.find((m) => m.id === 701)!,
        125,
      )
    ).root.points;
    expect(der.TotWhInj!.value).toBe(5000000000);
    expect(der.W!.value).toBe(-2500);
  });

  it('the driver polls the points of a definition into readings in canonical units', async () => {
    const model = catalog.get('sunspec-battery-inverter')!;
    const sink = new CaptureSink();
    const driver = new SunSpecDriver(device(model, peer.port) as never, model, sink);
    const batch = await driver.poll();
    await driver.stop();
    const byKey = Object.fromEntries(batch.readings.map((r) => [r.seriesKey, r.value]));
    expect(byKey).toEqual({
      'inv1/active_power': -9876,
      'inv1/energy_export': 1234567800,
      'inv1/state_of_charge': 57.3,
      'inv1/voltage': 401.2,
    });
    expect(batch.rejections).toEqual([]);
    expect(driver.health().detail?.baseAddress).toBe(BASE);
    expect(sink.batches).toHaveLength(1);
  });

  it('writes the power limit with its revert timeout first and enables it (model 123)', async () => {
    const model = catalog.get('sunspec-inverter')!;
    const driver = new SunSpecDriver(device(model, peer.port) as never, model, new CaptureSink());
    await driver.poll();
    const out = await driver.write('power_limit_pct', 55.5, { revertTimeoutS: 120 });
    expect(out.raw).toBe(555); // WMaxLimPct_SF = -1
    await expect(driver.write('power_limit_pct', 101, { revertTimeoutS: 120 })).rejects.toThrow(/outside 0..100/);
    await expect(driver.write('power_limit_pct', 50, { revertTimeoutS: 0 })).rejects.toThrow(/revert timeout/);
    await driver.stop();
    const m123 = await readModel(reader, models, { id: 123, address: at(123), length: 24, instance: 0, known: true }, 125);
    expect(m123.root.points.WMaxLimPct!.value).toBe(55.5);
    expect(m123.root.points.WMaxLimPct_RvrtTms!.value).toBe(120);
    expect(m123.root.points.WMaxLim_Ena!.value).toBe(1);
  });

  it('writes storage rates with StorCtl_Mod and the revert timeout (model 124), and the DER limit (704, uint32 timeout)', async () => {
    const bat = catalog.get('sunspec-battery-inverter')!;
    const d1 = new SunSpecDriver(device(bat, peer.port) as never, bat, new CaptureSink());
    await d1.poll();
    await d1.write('discharge_rate_pct', 42.5, { revertTimeoutS: 90 });
    await d1.stop();
    const m124 = (await readModel(reader, models, { id: 124, address: at(124), length: 24, instance: 0, known: true }, 125)).root.points;
    expect([m124.OutWRte!.value, m124.InOutWRte_RvrtTms!.value, m124.StorCtl_Mod!.value]).toEqual([42.5, 90, 3]);

    const der = catalog.get('sunspec-der-inverter')!;
    const d2 = new SunSpecDriver(device(der, peer.port) as never, der, new CaptureSink());
    await d2.poll();
    await d2.write('power_limit_pct', 70, { revertTimeoutS: 600 });
    await d2.stop();
    const l704 = image.layout.find((l) => l.id === 704)!;
    const m704 = (await readModel(reader, models, { ...l704, instance: 0, known: true }, 125)).root.points;
    expect([m704.WMaxLimPct!.value, m704.WMaxLimPctRvrtTms!.value, m704.WMaxLimPctEna!.value]).toEqual([70, 600, 1]);
  });

  it('a device without a required model is offline with a clear reason', async () => {
    const model = { ...catalog.get('sunspec-inverter')!, requiredModels: [1, 103, 802] } as DeviceModel;
    const driver = new SunSpecDriver(device(model, peer.port) as never, model, new CaptureSink());
    await driver.start();
    const h = await until('offline', () => (driver.health().state === 'offline' ? driver.health() : undefined));
    await driver.stop();
    expect(h.lastError?.message).toMatch(/model\(s\) 802 required .* not found/);
    expect(h.lastError?.kind).toBe('protocol');
  });
});

describe.skipIf(!services.python)('a dropped pymodbus peer', () => {
  it('goes offline when the peer dies and back online when it returns, without storing anything in between', async () => {
    let peer = await startPymodbusPeer(services.python!, { registers: imageRegisters(BASE, image.registers) });
    const port = peer.port;
    const model = catalog.get('sunspec-inverter')!;
    const sink = new CaptureSink();
    const driver = new SunSpecDriver(device(model, port) as never, model, sink);
    try {
      await driver.start();
      await until('online', () => driver.health().state === 'online');
      await peer.stop();
      const h = await until('offline', () => (driver.health().state === 'offline' ? driver.health() : undefined));
      expect(h.errors.connection + h.errors.timeout).toBeGreaterThan(0);
      expect(h.lastError?.message).toMatch(/closed|ECONNREFUSED|ECONNRESET|no reply/);
      const storedBefore = sink.batches.length;
      await new Promise((r) => setTimeout(r, 500));
      expect(sink.batches.length).toBe(storedBefore); // nothing while offline
      peer = await startPymodbusPeer(services.python!, { registers: imageRegisters(BASE, image.registers), port });
      await until('online again', () => driver.health().state === 'online', 20_000);
      expect(sink.batches.length).toBeGreaterThan(storedBefore);
      for (const b of sink.batches) for (const r of b.readings) if (r.seriesKey === 'inv1/active_power') expect(r.value).toBe(-9876);
    } finally {
      await driver.stop();
      await peer.stop();
    }
  }, 60_000);
});
