import { describe, expect, it } from 'vitest';
import { applyScale, decodeModel, decodeRaw, encodeImage, encodeModel, ImageError } from './image.js';
import { shippedSunSpecModels } from './models.js';

const models = shippedSunSpecModels();
const def = (id: number) => {
  const d = models.get(id);
  if (!d) throw new Error(`model ${id} not shipped`);
  return d;
};

describe('SunSpec register image', () => {
  it('ships the models the product decodes, with their official lengths', () => {
    for (const id of [1, 101, 102, 103, 120, 121, 122, 123, 124, 160, 701, 702, 704, 713]) expect(models.has(id)).toBe(true);
    expect(encodeModel(def(1), {}).length - 2).toBe(66);
    expect(encodeModel(def(103), {}).length - 2).toBe(50);
    expect(encodeModel(def(120), {}).length - 2).toBe(26);
    expect(encodeModel(def(123), {}).length - 2).toBe(24);
    expect(encodeModel(def(124), {}).length - 2).toBe(24);
  });

  it('encodes scale factors, signed values and strings so that decoding gives them back exactly', () => {
    const regs = encodeModel(def(103), {
      W: -1234.5,
      W_SF: -1,
      WH: 98765432,
      WH_SF: 0,
      Hz: 50.02,
      Hz_SF: -2,
      PhVphA: 231.4,
      V_SF: -1,
      TmpCab: -12.5,
      Tmp_SF: -1,
      A: 1200,
      A_SF: 1,
    });
    // raw registers: W = -12345 as two's complement; WH acc32 split high/low
    expect(regs[0]).toBe(103);
    expect(regs[1]).toBe(50);
    expect(regs[2 + 12]).toBe(0x10000 - 12345);
    const m = decodeModel(def(103), regs);
    expect(m.problems).toEqual([]);
    const p = m.root.points;
    expect(p.W!.value).toBe(-1234.5);
    expect(p.W!.raw).toBe(-12345);
    expect(p.WH!.value).toBe(98765432);
    expect(p.Hz!.value).toBe(50.02);
    expect(p.PhVphA!.value).toBe(231.4);
    expect(p.TmpCab!.value).toBe(-12.5);
    expect(p.A!.value).toBe(1200);
    expect(p.A!.raw).toBe(120);
  });

  it('writes and reads the not-implemented markers of each type as null', () => {
    const regs = encodeModel(def(103), { W: 100, W_SF: 0 });
    const p = decodeModel(def(103), regs).root.points;
    expect(regs[2 + 0]).toBe(0xffff); // A uint16 unimplemented
    expect(p.A!.value).toBeNull();
    expect(p.VA!.raw).toBeNull(); // int16 0x8000
    expect(p.WH!.raw).toBeNull(); // acc32 0
    expect(p.Evt1!.raw).toBeNull(); // bitfield32 0xFFFFFFFF
    expect(p.W!.value).toBe(100);
    expect(decodeRaw({ type: 'int32', size: 2 }, [0x8000, 0], 0)).toBeNull();
    expect(decodeRaw({ type: 'uint32', size: 2 }, [0xffff, 0xffff], 0)).toBeNull();
    expect(decodeRaw({ type: 'int64', size: 4 }, [0x8000, 0, 0, 0], 0)).toBeNull();
    expect(decodeRaw({ type: 'int32', size: 2 }, [0xffff, 0xfffe], 0)).toBe(-2);
    expect(decodeRaw({ type: 'float32', size: 2 }, [0x7fc0, 0], 0)).toBeNull();
  });

  it('refuses a value whose scale factor is not implemented, and decodes such a value as null with the reason', () => {
    expect(() => encodeModel(def(103), { W: 5, W_SF: null })).toThrow(ImageError);
    const regs = encodeModel(def(103), { W_SF: null });
    regs[2 + 12] = 500; // W implemented, W_SF = 0x8000
    const w = decodeModel(def(103), regs).root.points.W!;
    expect(w.raw).toBe(500);
    expect(w.value).toBeNull();
    expect(w.problem).toMatch(/scale factor W_SF not implemented/);
  });

  it('refuses values outside the register type', () => {
    expect(() => encodeModel(def(103), { W: 40000, W_SF: 0 })).toThrow(/outside/);
    expect(() => encodeModel(def(1), { Mn: 'x'.repeat(33) })).toThrow(/longer than 32 bytes/);
  });

  it('lays out a device: SunS, models in order, end model', () => {
    const img = encodeImage(models, [
      { id: 1, values: { Mn: 'Luna', Md: 'Test', SN: 'SN-1', DA: 1 } },
      { id: 103, values: { W: 1, W_SF: 0 } },
      {
        id: 160,
        values: {
          N: 2,
          module: [
            { ID: 1, DCW: 10 },
            { ID: 2, DCW: 20 },
          ],
          DCW_SF: 0,
        },
      },
    ]);
    expect(Array.from(img.registers.slice(0, 2))).toEqual([0x5375, 0x6e53]);
    expect(img.layout.map((l) => [l.id, l.address - img.baseAddress])).toEqual([
      [1, 2],
      [103, 70],
      [160, 122],
    ]);
    const end = img.registers.length - 2;
    expect(img.registers[end]).toBe(0xffff);
    const common = decodeModel(def(1), img.registers, 2).root.points;
    expect(common.Mn!.value).toBe('Luna');
    expect(common.SN!.value).toBe('SN-1');
    const mppt = decodeModel(def(160), img.registers, 122);
    expect(mppt.root.groups.module!.map((g) => g.points.DCW!.value)).toEqual([10, 20]);
  });

  it('decodes nested repeating groups whose counts are points (model 705 curves)', () => {
    const regs = encodeModel(def(705), {
      NCrv: 2,
      NPt: 3,
      Crv: [
        { ActPt: 3, Pt: [{ V: 1 }, { V: 2 }, { V: 3 }] },
        { ActPt: 3, Pt: [{ V: 4 }, { V: 5 }, { V: 6 }] },
      ],
    });
    const m = decodeModel(def(705), regs);
    expect(m.problems).toEqual([]);
    expect(m.root.groups.Crv!.length).toBe(2);
    expect(m.root.groups.Crv![1]!.groups.Pt!.map((p) => p.points.V!.raw)).toEqual([4, 5, 6]);
  });

  it('reports a model block shorter than its definition instead of inventing values', () => {
    const regs = encodeModel(def(103), { W: 7, W_SF: 0 });
    const short = regs.slice(0, 20);
    short[1] = 18;
    const m = decodeModel(def(103), short);
    expect(m.problems.join(' ')).toMatch(/shorter/);
    expect(m.root.points.W!.value).toBe(7); // inside the block: read
    expect(m.root.points.TmpCab).toBeUndefined(); // beyond it: not invented
  });

  it('scales without binary noise', () => {
    expect(applyScale(123, -1)).toBe(12.3);
    expect(applyScale(5002, -2)).toBe(50.02);
    expect(applyScale(7, 3)).toBe(7000);
  });
});
