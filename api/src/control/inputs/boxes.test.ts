import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeviceModels } from '../../devices/catalog.js';
import type { ModbusModel } from '../../devices/definition.js';
import { tempDir } from '../../test/services.js';
import { boxReads, checkBoxModel, decodeBox, loadControlBoxesFile } from './boxes.js';

const { models } = loadDeviceModels();
const box = models.get('fnn-steuerbox-modbus') as ModbusModel;
const regs = (r0: number, r1: number, r2: number, r3: number) =>
  new Map([
    ['section14a_max_power', [r0]],
    ['redispatch_max_pv_power', [r1]],
    ['redispatch_max_export_power', [r2]],
    ['redispatch_target_grid_power', [r3]],
  ]);

describe('the shipped control box model', () => {
  it('validates as a device model and serves as a control box', () => {
    expect(box).toBeDefined();
    expect(checkBoxModel(box, box.id)).toBeUndefined();
    expect(boxReads(box).map((r) => [r.point, r.start, r.count])).toEqual([
      ['section14a_max_power', 0, 1],
      ['redispatch_max_pv_power', 1, 1],
      ['redispatch_max_export_power', 2, 1],
      ['redispatch_target_grid_power', 3, 1],
    ]);
  });

  it('refuses models that cannot be a control box', () => {
    expect(checkBoxModel(undefined, 'x')).toMatch(/no device model "x"/);
    expect(checkBoxModel(models.get('sunspec-inverter'), 'sunspec-inverter')).toMatch(/needs a plain modbus model/);
    expect(checkBoxModel(models.get('generic-modbus-battery'), 'generic-modbus-battery')).toMatch(
      /has none of the points section14a_max_power/,
    );
  });
});

describe('decodeBox', () => {
  it('reads "no limit" markers as released', () => {
    expect(decodeBox(box, regs(0xffff, 0xffff, 0xffff, 0x8000))).toEqual({ wanted: {}, broken: [], errors: [] });
  });

  it('scales and converts kW to W per kind; an activation may be negative (export)', () => {
    expect(decodeBox(box, regs(84, 300, 0, 0x10000 - 200))).toEqual({
      wanted: {
        'section14a-dimming': { maxControllablePowerW: 8400 },
        'redispatch-curtailment': { maxPvPowerW: 300_000, maxExportPowerW: 0 },
        'redispatch-activation': { targetGridW: -200_000 },
      },
      broken: [],
      errors: [],
    });
    expect(decodeBox(box, regs(0xffff, 0xffff, 50, 0x8000)).wanted).toEqual({ 'redispatch-curtailment': { maxExportPowerW: 50_000 } });
  });

  it('a point that was not read marks its kind broken (kept, not released)', () => {
    const m = regs(84, 300, 0, 0x8000);
    m.delete('redispatch_max_export_power');
    expect(decodeBox(box, m)).toEqual({
      wanted: { 'section14a-dimming': { maxControllablePowerW: 8400 } },
      broken: ['redispatch-curtailment'],
      errors: ['redispatch_max_export_power: not read'],
    });
  });
});

describe('loadControlBoxesFile', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const write = (json: unknown) => {
    const f = join(tmp.dir, `boxes-${Math.random()}.json`);
    writeFileSync(f, typeof json === 'string' ? json : JSON.stringify(json));
    return f;
  };

  it('applies defaults', () => {
    const [b] = loadControlBoxesFile(write({ boxes: [{ siteId: 'werk', connection: { host: '10.0.0.5' } }] }), models);
    expect(b).toMatchObject({
      siteId: 'werk',
      id: 'box',
      model: 'fnn-steuerbox-modbus',
      holdS: 900,
      connection: { host: '10.0.0.5', port: 502, unitId: 1 },
    });
  });

  it.each([
    ['not JSON', '{', /LUNA_CONTROL_BOXES .*: cannot be read as JSON/],
    ['no boxes', { boxes: [] }, /expected \{"boxes":/],
    ['bad port', { boxes: [{ siteId: 'werk', connection: { host: 'h', port: 70000 } }] }, /box 0: connection.port: /],
    ['unknown model', { boxes: [{ siteId: 'werk', model: 'nope', connection: { host: 'h' } }] }, /box 0: model: no device model "nope"/],
    [
      'two boxes with one id',
      {
        boxes: [
          { siteId: 'werk', connection: { host: 'a' } },
          { siteId: 'werk', connection: { host: 'b' } },
        ],
      },
      /box 1: id: site werk has two boxes with id "box"/,
    ],
  ])('refuses %s in one line naming the place', (_name, json, message) => {
    expect(() => loadControlBoxesFile(write(json), models)).toThrow(message);
  });
});
