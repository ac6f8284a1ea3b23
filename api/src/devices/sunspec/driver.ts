/**
 * SunSpec devices over Modbus TCP: discovery on every (re)connect, then each poll reads the
 * model blocks the definition's points use, decodes them with the official model definitions
 * (scale factors, not-implemented markers, signed types) and maps the points to series.
 *
 * Writes go to SunSpec control points ALWAYS with a revert timeout (e.g. model 123
 * WMaxLimPct_RvrtTms before WMaxLimPct, then WMaxLim_Ena = 1; model 124 InOutWRte_RvrtTms before
 * InWRte/OutWRte with StorCtl_Mod), so the device falls back to its own behaviour when Luna stops
 * renewing the value. The scale factor of the written point is read fresh before each write.
 */
import type { DeviceReading } from '../driver.js';
import type { DeviceSetpoint, SunSpecAddress, SunSpecModel } from '../definition.js';
import { pointReading } from '../values.js';
import { ModbusExceptionError, ModbusProtocolError } from '../modbus/client.js';
import { PollingModbusDriver, type PollParts } from '../modbus/poller.js';
import { discover, readModel, SunSpecDiscoveryError, type DiscoveredModel, type Discovery, type RegisterReader } from './discovery.js';
import { encodePoint, type DecodedModel, type DecodedPoint } from './image.js';
import { shippedSunSpecModels, type SunSpecModelDef, type SunSpecModels, type SunSpecPointDef } from './models.js';

/** Register offset of a point from its model's ID register (top-level points and fixed groups). */
export function pointOffset(
  def: SunSpecModelDef,
  a: Pick<SunSpecAddress, 'point' | 'group'>,
): { offset: number; point: SunSpecPointDef } | undefined {
  let offset = 0;
  const root = def.group;
  if (!a.group) {
    for (const p of root.points ?? []) {
      if (p.name === a.point) return { offset, point: p };
      offset += p.size;
    }
    return undefined;
  }
  offset = (root.points ?? []).reduce((n, p) => n + p.size, 0);
  for (const g of root.groups ?? []) {
    const len = (g.points ?? []).reduce((n, p) => n + p.size, 0);
    if (g.groups?.length) return undefined; // nested repeating groups: lengths depend on counts
    if (g.name !== a.group.name) {
      if (typeof g.count !== 'number' && g.count !== undefined) return undefined;
      offset += len * (g.count ?? 1);
      continue;
    }
    offset += len * a.group.index;
    for (const p of g.points ?? []) {
      if (p.name === a.point) return { offset, point: p };
      offset += p.size;
    }
  }
  return undefined;
}

export function pickPoint(m: DecodedModel, a: Pick<SunSpecAddress, 'point' | 'group'>): DecodedPoint | undefined {
  if (!a.group) return m.root.points[a.point];
  return m.root.groups[a.group.name]?.[a.group.index]?.points[a.point];
}

export class SunSpecDriver extends PollingModbusDriver {
  private discovery: Discovery | undefined;
  private readonly models: SunSpecModels = shippedSunSpecModels();

  protected get def(): SunSpecModel {
    return this.model as SunSpecModel;
  }

  private get reader(): RegisterReader {
    return { read: (address, count) => this.client.readHoldingRegisters(address, count) };
  }

  /** The last discovery (base address and the model chain). */
  get discovered(): Discovery | undefined {
    return this.discovery;
  }

  protected async prepare(): Promise<void> {
    const bases = this.conn.sunspecBase !== undefined ? [this.conn.sunspecBase] : undefined;
    let d: Discovery;
    try {
      d = await discover(this.reader, this.models, (e) => e instanceof ModbusExceptionError, bases);
    } catch (err) {
      // no marker / broken chain: a protocol problem of this device (kind 'protocol' in its health)
      if (err instanceof SunSpecDiscoveryError) throw new ModbusProtocolError(`SunSpec discovery: ${err.message}`);
      throw err;
    }
    const missing = this.def.requiredModels.filter((id) => !d.models.some((m) => m.id === id));
    this.tracker.detail = {
      baseAddress: d.baseAddress,
      models: d.models.map((m) => ({ id: m.id, address: m.address, length: m.length, ...(m.known ? {} : { known: false }) })),
    };
    if (missing.length)
      throw new ModbusProtocolError(
        `SunSpec model(s) ${missing.join(', ')} required by ${this.def.id} not found (device has ${d.models.map((m) => m.id).join(', ')})`,
      );
    this.discovery = d;
    this.deps.log?.info({ device: this.config.id, ...this.tracker.detail }, `device ${this.config.id}: SunSpec discovery`);
  }

  private instance(model: number, instance: number): DiscoveredModel | undefined {
    return this.discovery?.models.find((m) => m.id === model && m.instance === instance);
  }

  protected async readAll(tsMs: number): Promise<PollParts> {
    const problems: PollParts['problems'] = [];
    const decoded = new Map<string, DecodedModel | null>();
    const readings: DeviceReading[] = [];
    const rejections = [];
    for (const p of this.def.points) {
      const s = p.source;
      const k = `${s.model}#${s.instance}`;
      if (!decoded.has(k)) {
        const m = this.instance(s.model, s.instance);
        if (!m) {
          decoded.set(k, null);
          problems.push({ kind: 'decode', message: `model ${s.model} (instance ${s.instance}) is not on the device` });
        } else {
          try {
            const d = await readModel(this.reader, this.models, m, this.conn.maxRegistersPerRead);
            if (d.root.points.ID?.raw !== m.id)
              throw new Error(`model ${m.id} moved (ID register at ${m.address} reads ${String(d.root.points.ID?.raw)}); rediscovering`);
            decoded.set(k, d);
            for (const pr of d.problems) problems.push({ kind: 'decode', message: `model ${m.id}: ${pr}` });
          } catch (err) {
            if (!(err instanceof ModbusExceptionError)) throw err;
            decoded.set(k, null);
            problems.push({ kind: 'exception', message: `model ${m.id}: ${err.message}`, code: err.exceptionCode });
          }
        }
      }
      const d = decoded.get(k);
      if (!d) continue;
      const v = pickPoint(d, s);
      if (!v) {
        problems.push({ kind: 'decode', message: `${p.name}: point ${s.point} not in model ${s.model}` });
        continue;
      }
      if (v.value === null) {
        if (v.problem) {
          problems.push({ kind: 'decode', message: `${p.name} (${s.model}.${s.point}): ${v.problem}` });
          rejections.push(this.rejection(p.name, `${s.model}.${s.point}: ${v.problem}`, v.raw));
        }
        continue; // not implemented
      }
      if (typeof v.value !== 'number') continue;
      const r = pointReading(this.config, p, s.scale !== undefined ? v.value * s.scale : v.value, tsMs, v.raw);
      if (r.ok) readings.push(r.reading);
      else {
        problems.push({ kind: 'decode', message: r.rejection.reason });
        rejections.push(r.rejection);
      }
    }
    return { batch: { deviceId: this.config.id, siteId: this.config.siteId, readings, rejections }, problems };
  }

  protected async writeSetpoint(setpoint: DeviceSetpoint, value: number, revertTimeoutS: number): Promise<number> {
    const sp = setpoint as SunSpecModel['setpoints'][number];
    const fresh = new Map<string, DecodedModel>();
    const put = async (a: SunSpecAddress, engineering: number): Promise<number> => {
      const m = this.instance(a.model, a.instance);
      const def = this.models.get(a.model);
      if (!m || !def) throw new Error(`model ${a.model} is not on the device`);
      const loc = pointOffset(def, a);
      if (!loc) throw new Error(`point ${a.point} of model ${a.model} cannot be located`);
      if (loc.point.access !== 'RW') throw new Error(`point ${a.model}.${a.point} is read-only`);
      let sf = 0;
      if (loc.point.sf !== undefined) {
        const k = `${a.model}#${a.instance}`;
        if (!fresh.has(k)) fresh.set(k, await readModel(this.reader, this.models, m, this.conn.maxRegistersPerRead));
        const s = pickPoint(fresh.get(k)!, a)?.sf;
        if (s === null || s === undefined) throw new Error(`scale factor of ${a.model}.${a.point} is not implemented`);
        sf = s;
      }
      let v = a.scale !== undefined ? engineering / a.scale : engineering;
      v = sf < 0 ? v * 10 ** -sf : v / 10 ** sf;
      const raw = loc.point.type === 'float32' ? v : Math.round(Number(v.toPrecision(12)));
      const regs = new Uint16Array(loc.point.size);
      encodePoint(loc.point, raw, regs, 0);
      const address = m.address + loc.offset;
      if (regs.length === 1) await this.client.writeSingleRegister(address, regs[0]!);
      else await this.client.writeMultipleRegisters(address, regs);
      return raw;
    };
    if ('point' in sp.revertTimeout) await put(sp.revertTimeout, revertTimeoutS);
    for (const b of sp.before ?? []) await put(b.target, b.value);
    const raw = await put(sp.target, value);
    if (sp.enable) await put(sp.enable.target, sp.enable.value);
    return raw;
  }
}
