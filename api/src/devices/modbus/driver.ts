/**
 * Plain (non-SunSpec) Modbus TCP devices from a definition file: points are read in few block
 * requests (FC 3 holding / FC 4 input); a block answered with an exception is read point by point
 * once to find the bad address, which is then read alone (the others keep their blocks).
 * Scale-factor registers (SunSpec style, `scaleFactor: { address }`) are read with the points.
 */
import type { DeviceReading } from '../driver.js';
import type { DeviceSetpoint, ModbusAddress, ModbusModel } from '../definition.js';
import { pointReading } from '../values.js';
import { ModbusExceptionError } from './client.js';
import { PollingModbusDriver, type PollParts } from './poller.js';
import { decodeRegisterValue, encodeRegisterValue, planReads, registerCount, toRegisterUnits, type ReadBlock } from './registers.js';

const BLOCK_GAP = 4;

export class ModbusDriver extends PollingModbusDriver {
  /** addresses that answered an exception alone: read separately so they do not spoil their block */
  private readonly isolated = new Set<string>();
  /** registers of a gap bridged inside one read; 0 once a bridged gap itself answered an exception */
  private maxGap = BLOCK_GAP;

  protected get def(): ModbusModel {
    return this.model as ModbusModel;
  }

  protected async prepare(): Promise<void> {
    // nothing to discover
  }

  private async readBlock(b: ReadBlock): Promise<Uint16Array> {
    return b.table === 'input' ? this.client.readInputRegisters(b.start, b.count) : this.client.readHoldingRegisters(b.start, b.count);
  }

  protected async readAll(tsMs: number): Promise<PollParts> {
    const points = this.def.points;
    const ranges = points.flatMap((p) => {
      const s = p.source;
      const r = [{ table: s.table, start: s.address, count: registerCount(s.type, s.size) }];
      if (typeof s.scaleFactor === 'object') r.push({ table: s.table, start: s.scaleFactor.address, count: 1 });
      return r;
    });
    const key = (table: string, start: number) => `${table}:${start}`;
    const regular = ranges.filter((r) => !this.isolated.has(key(r.table, r.start)));
    const alone = ranges.filter((r) => this.isolated.has(key(r.table, r.start)));
    const blocks: ReadBlock[] = [...planReads(regular, this.conn.maxRegistersPerRead, this.maxGap), ...alone.map((r) => ({ ...r }))];
    const memory = new Map<string, number>();
    const problems: PollParts['problems'] = [];
    const failed = new Set<string>();
    for (const b of blocks) {
      try {
        const regs = await this.readBlock(b);
        regs.forEach((v, i) => memory.set(key(b.table, b.start + i), v));
      } catch (err) {
        if (!(err instanceof ModbusExceptionError)) throw err; // timeouts, dropped connection: the whole poll fails
        const inBlock = ranges.filter((r) => r.table === b.table && r.start >= b.start && r.start + r.count <= b.start + b.count);
        if (inBlock.length <= 1 || this.isolated.has(key(b.table, b.start))) {
          problems.push({ kind: 'exception', message: err.message, code: err.exceptionCode });
          for (const r of inBlock) failed.add(key(r.table, r.start));
          continue;
        }
        // find the bad address: each range alone, once; the bad ones stay isolated
        const isolatedBefore = this.isolated.size;
        for (const r of inBlock) {
          try {
            const regs = await this.readBlock(r);
            regs.forEach((v, i) => memory.set(key(r.table, r.start + i), v));
          } catch (e) {
            if (!(e instanceof ModbusExceptionError)) throw e;
            this.isolated.add(key(r.table, r.start));
            failed.add(key(r.table, r.start));
            problems.push({ kind: 'exception', message: e.message, code: e.exceptionCode });
          }
        }
        // every point read fine alone: the bridged gap was the illegal address — stop bridging gaps
        if (this.isolated.size === isolatedBefore) this.maxGap = 0;
      }
    }
    const readings: DeviceReading[] = [];
    const rejections = [];
    for (const p of points) {
      const s = p.source;
      const n = registerCount(s.type, s.size);
      const regs: number[] = [];
      for (let i = 0; i < n; i++) regs.push(memory.get(key(s.table, s.address + i)) ?? -1);
      if (regs.includes(-1)) continue; // not read: counted as an exception above
      let sf: number | null | undefined;
      if (typeof s.scaleFactor === 'object') {
        const raw = memory.get(key(s.table, s.scaleFactor.address));
        if (raw === undefined) continue;
        sf = raw === 0x8000 ? null : raw >= 0x8000 ? raw - 0x10000 : raw;
      }
      const v = decodeRegisterValue(s, regs, 0, sf);
      if (!v.ok) {
        problems.push({ kind: 'decode', message: `${p.name}: ${v.reason}` });
        rejections.push(this.rejection(p.name, v.reason, regs.join(',')));
        continue;
      }
      if (v.value === null) continue; // not implemented by this device
      if (typeof v.value === 'string') continue; // text points are not series
      const r = pointReading(this.config, p, v.value, tsMs, regs.join(','));
      if (r.ok) readings.push(r.reading);
      else {
        problems.push({ kind: 'decode', message: r.rejection.reason });
        rejections.push(r.rejection);
      }
    }
    return { batch: { deviceId: this.config.id, siteId: this.config.siteId, readings, rejections }, problems };
  }

  protected async writeSetpoint(setpoint: DeviceSetpoint, value: number, revertTimeoutS: number): Promise<number> {
    const sp = setpoint as ModbusModel['setpoints'][number];
    const put = async (a: ModbusAddress, engineering: number): Promise<number> => {
      let sf: number | undefined;
      if (typeof a.scaleFactor === 'number') sf = a.scaleFactor;
      else if (a.scaleFactor) {
        const [r] = await this.client.readHoldingRegisters(a.scaleFactor.address, 1);
        if (r === undefined || r === 0x8000) throw new Error(`scale factor register ${a.scaleFactor.address} is not implemented`);
        sf = r >= 0x8000 ? r - 0x10000 : r;
      }
      const raw = toRegisterUnits(a, engineering, sf);
      const regs = encodeRegisterValue(a, raw);
      if (regs.length === 1) await this.client.writeSingleRegister(a.address, regs[0]!);
      else await this.client.writeMultipleRegisters(a.address, regs);
      return raw;
    };
    if ('address' in sp.revertTimeout) await put(sp.revertTimeout, revertTimeoutS);
    for (const b of sp.before ?? []) await put(b.target, b.value);
    const raw = await put(sp.target, value);
    if (sp.enable) await put(sp.enable.target, sp.enable.value);
    return raw;
  }
}
