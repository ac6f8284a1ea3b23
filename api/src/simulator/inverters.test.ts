/**
 * The simulated inverters over a real Modbus TCP connection (the device layer's client and SunSpec
 * decoder): the images carry the physics' values, control writes reach the physics, bad writes
 * get exceptions, and the device-side revert timeout restores the safe behaviour.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusExceptionError, ModbusTcpClient } from '../devices/modbus/client.js';
import { decodeModel } from '../devices/sunspec/image.js';
import { shippedSunSpecModels } from '../devices/sunspec/models.js';
import { manualClock } from './clock.js';
import { constantProfile } from './profile.js';
import { startSimulator, type RunningSimulator } from './runner.js';
import type { StepRecord } from './site.js';
import { SUNSPEC_BASE } from './sunspec-device.js';

const models = shippedSunSpecModels();
const START = Date.parse('2026-06-15T10:00:00Z');

describe('simulated SunSpec inverters over Modbus TCP', () => {
  const clock = manualClock(START);
  let sim: RunningSimulator;
  let pv: ModbusTcpClient;
  let bat: ModbusTcpClient;
  const steps: StepRecord[] = [];

  /** reads a device's whole image and decodes its models by walking the chain from "SunS" */
  async function readModels(c: ModbusTcpClient): Promise<Map<number, Record<string, number | string | null>>> {
    const head = await c.readHoldingRegisters(SUNSPEC_BASE, 2);
    expect(
      Buffer.from(new Uint8Array(new Uint16Array([head[0]!, head[1]!]).buffer))
        .swap16()
        .toString(),
    ).toBe('SunS');
    const out = new Map<number, Record<string, number | string | null>>();
    let at = SUNSPEC_BASE + 2;
    for (;;) {
      const [id, len] = await c.readHoldingRegisters(at, 2);
      if (id === 0xffff) break;
      const regs = new Uint16Array(len! + 2);
      for (let off = 0; off < regs.length; off += 125)
        regs.set(await c.readHoldingRegisters(at + off, Math.min(125, regs.length - off)), off);
      const d = decodeModel(models.get(id!)!, regs);
      expect(d.problems).toEqual([]);
      out.set(id!, Object.fromEntries(Object.entries(d.root.points).map(([k, p]) => [k, p.value])));
      at += len! + 2;
    }
    return out;
  }

  /** the address of a point (top-level group) in a device's image */
  function addressOf(device: RunningSimulator['pv'], model: number, point: string): number {
    const entry = device.layout.find((e) => e.id === model)!;
    let at = entry.address;
    for (const p of models.get(model)!.group.points!) {
      if (p.name === point) return at;
      at += p.size;
    }
    throw new Error(`${model}.${point} not found`);
  }

  beforeAll(async () => {
    // 400 kW load, 600 kW PV available: 200 kW export before the battery does anything
    sim = await startSimulator({
      profile: constantProfile(400_000, 600_000),
      clock,
      models,
      tickMs: 3_600_000,
      modbus: { port: 0 },
      onStep: (r) => steps.push(r),
    });
    pv = new ModbusTcpClient({ host: '127.0.0.1', port: sim.modbus!.port, unitId: 1, timeoutMs: 2_000 });
    bat = new ModbusTcpClient({ host: '127.0.0.1', port: sim.modbus!.port, unitId: 2, timeoutMs: 2_000 });
    await pv.connect();
    await bat.connect();
  });
  afterAll(async () => {
    pv?.close();
    bat?.close();
    await sim?.stop();
  });

  const advance = async (ms: number) => {
    clock.advance(ms);
    await sim.tick();
  };

  it('serves the PV inverter as models 1, 103, 120, 123 with the physics values', async () => {
    await advance(60_000);
    const m = await readModels(pv);
    expect([...m.keys()]).toEqual([1, 103, 120, 123]);
    expect(m.get(1)).toMatchObject({ Mn: 'Luna-IEMS', Md: 'SimPV 750', DA: 1 });
    expect(m.get(103)).toMatchObject({ W: 600_000, Hz: 50, St: 4 });
    expect(m.get(120)).toMatchObject({ DERTyp: 4, WRtg: 750_000 });
    expect(m.get(123)).toMatchObject({ WMaxLimPct: 100, WMaxLim_Ena: 0 });
    expect(sim.site.last).toMatchObject({ pvW: 600_000, gridW: -200_000 });
  });

  it('serves the battery inverter as models 1, 103, 120, 124, 802: SoC 50 %, idle', async () => {
    const m = await readModels(bat);
    expect([...m.keys()]).toEqual([1, 103, 120, 124, 802]);
    expect(m.get(103)).toMatchObject({ W: 0, St: 8 });
    expect(m.get(120)).toMatchObject({ DERTyp: 82, WHRtg: 1_000_000, MaxChaRte: 500_000, MaxDisChaRte: 500_000 });
    expect(m.get(124)).toMatchObject({ WChaMax: 500_000, StorCtl_Mod: 0, ChaState: 50, ChaSt: 6 });
    expect(m.get(802)).toMatchObject({ SoC: 50, SoCMin: 5, SoCMax: 95, WHRtg: 1_000_000, Typ: 4 });
  });

  it('limits PV through 123 WMaxLimPct (revert timeout first, then the value, then enable) and reverts after the timeout', async () => {
    await pv.writeSingleRegister(addressOf(sim.pv, 123, 'WMaxLimPct_RvrtTms'), 120);
    await pv.writeSingleRegister(addressOf(sim.pv, 123, 'WMaxLimPct'), 400); // 40.0 % (SF −1)
    await pv.writeSingleRegister(addressOf(sim.pv, 123, 'WMaxLim_Ena'), 1);
    await advance(60_000);
    expect(sim.site.last).toMatchObject({ pvW: 300_000, pvLimitPct: 40, gridW: 100_000 });
    const m = await readModels(pv);
    expect(m.get(123)).toMatchObject({ WMaxLimPct: 40, WMaxLimPct_RvrtTms: 120, WMaxLim_Ena: 1 });
    expect(m.get(103)).toMatchObject({ W: 300_000, St: 5 });
    await advance(61_000);
    expect(sim.site.last).toMatchObject({ pvW: 600_000, pvLimitPct: 100 });
    expect(sim.stats.reverts.pv).toBe(1);
    expect((await readModels(pv)).get(123)).toMatchObject({ WMaxLim_Ena: 0 });
  });

  it('runs the battery from 124 OutWRte with StorCtl_Mod DISCHARGE, negative = charge, and reverts to idle', async () => {
    await bat.writeSingleRegister(addressOf(sim.battery, 124, 'InOutWRte_RvrtTms'), 300);
    await bat.writeSingleRegister(addressOf(sim.battery, 124, 'StorCtl_Mod'), 2);
    await bat.writeSingleRegister(addressOf(sim.battery, 124, 'OutWRte'), (-4000 + 0x10000) & 0xffff); // −40.00 % → charge 200 kW
    await advance(60_000);
    expect(sim.site.last).toMatchObject({ batteryW: -200_000, batteryChargeW: 200_000, gridW: 0 });
    const m = await readModels(bat);
    expect(m.get(103)).toMatchObject({ W: -200_000, St: 4 });
    expect(m.get(124)).toMatchObject({ StorCtl_Mod: 2, OutWRte: -40, ChaSt: 4 });
    expect(Number(m.get(802)!.SoC)).toBeGreaterThan(50);
    // discharge 100 kW with one FC 16 write of OutWRte..InOutWRte_RvrtTms (OutWRte, InWRte, WinTms, RvrtTms)
    await bat.writeMultipleRegisters(addressOf(sim.battery, 124, 'OutWRte'), [2000, 0, 0, 300]);
    await advance(60_000);
    expect(sim.site.last).toMatchObject({ batteryW: 100_000, gridW: -300_000 });
    await advance(301_000);
    expect(sim.site.last).toMatchObject({ batteryW: 0 });
    expect(sim.stats.reverts.battery).toBe(1);
    expect((await readModels(bat)).get(124)).toMatchObject({ StorCtl_Mod: 0, OutWRte: 0 });
  });

  it.each([
    ['a read-only point (103 W)', 'pv', 103, 'W', 1, 2],
    ['the SunS marker', 'pv', 0, '', 1, 2],
    ['WMaxLimPct above 100 %', 'pv', 123, 'WMaxLimPct', 1001, 3],
    ['disconnect (Conn = 0), not simulated', 'pv', 123, 'Conn', 0, 3],
    ['StorCtl_Mod with an unknown bit', 'battery', 124, 'StorCtl_Mod', 4, 3],
    ['OutWRte beyond 100 %', 'battery', 124, 'OutWRte', 10_001, 3],
  ] as const)('refuses a write to %s with an exception reply', async (_name, device, model, point, value, code) => {
    const dev = device === 'pv' ? sim.pv : sim.battery;
    const client = device === 'pv' ? pv : bat;
    const address = model === 0 ? SUNSPEC_BASE : addressOf(dev, model, point);
    const before = dev.registers;
    const err = await client.writeSingleRegister(address, value).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).exceptionCode).toBe(code);
    expect(dev.registers).toEqual(before);
  });

  it('kept the balance at every step the writes drove (grid = load − pv + charge − discharge)', () => {
    expect(steps.length).toBeGreaterThan(100);
    expect(
      steps.some((r) => r.batteryChargeW > 0) && steps.some((r) => r.batteryDischargeW > 0) && steps.some((r) => r.pvW < r.pvAvailableW),
    ).toBe(true);
    for (const r of steps) expect(Math.abs(r.gridW - (r.loadW - r.pvW + r.batteryChargeW - r.batteryDischargeW))).toBeLessThan(1e-6);
  });

  it('answers reads outside the image with exception 2, and input-register reads too', async () => {
    const end = SUNSPEC_BASE + sim.pv.registers.length;
    for (const read of [
      () => pv.readHoldingRegisters(end - 1, 2),
      () => pv.readHoldingRegisters(39_999, 1),
      () => pv.readInputRegisters(SUNSPEC_BASE, 2),
    ]) {
      const err = await read().catch((e: unknown) => e);
      expect((err as ModbusExceptionError).exceptionCode).toBe(2);
    }
    // the end model is the last thing in the image
    expect(Array.from(await pv.readHoldingRegisters(end - 2, 2))).toEqual([0xffff, 0]);
  });
});
