/**
 * The Modbus control box input against an independent peer: pymodbus's own simulator
 * (LUNA_PYTHON from scripts/services; skipped without it) serving the register map of
 * devices/models/fnn-steuerbox-modbus.json. The grid operator's side is played by a second Modbus
 * client writing the box's registers. Level changes become signals; an unreachable box releases
 * nothing; a restarted Luna picks its signals up again; the service polls a box from LUNA_CONTROL_BOXES.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeviceModels } from '../../devices/catalog.js';
import type { ModbusModel } from '../../devices/definition.js';
import { ModbusTcpClient } from '../../devices/modbus/client.js';
import { startPymodbusPeer, type PymodbusPeer } from '../../devices/test/pymodbus.js';
import { createLogger } from '../../ops/logger.js';
import { migrate, openPglite, type Database } from '../../store/index.js';
import { call, startTestApp } from '../../test/app.js';
import { services, tempDir } from '../../test/services.js';
import { boxReads } from './boxes.js';
import { ControlBoxInput } from './modbus.js';
import { ControlInputsService } from './service.js';

const quiet = createLogger('fatal', new Writable({ write: (_c, _e, done) => done() }));
const model = loadDeviceModels().models.get('fnn-steuerbox-modbus') as ModbusModel;
const RELEASED = new Map([
  [0, 0xffff],
  [1, 0xffff],
  [2, 0xffff],
  [3, 0x8000],
]);
const T0 = Date.parse('2026-11-27T10:00:00Z');

describe.skipIf(!services.python)('control box over Modbus TCP (pymodbus peer)', () => {
  const tmp = tempDir();
  let peer: PymodbusPeer;
  let dso: ModbusTcpClient;
  let db: Database;
  let svc: ControlInputsService;
  let input: ControlBoxInput;
  let clock = T0;

  const write = async (address: number, value: number) => {
    if (!dso.connected) await dso.connect();
    await dso.writeSingleRegister(address, value & 0xffff);
  };
  const mine = () => svc.upcomingSignals('werk', clock).map((s) => ({ ...s }));
  const boxConfig = (port: number) => ({
    siteId: 'werk',
    id: 'box',
    model: model.id,
    holdS: 60,
    connection: {
      host: '127.0.0.1',
      port,
      unitId: 1,
      timeoutMs: 1000,
      pollIntervalMs: 200,
      maxRegistersPerRead: 125,
      reconnectMinMs: 500,
      reconnectMaxMs: 30_000,
    },
  });

  beforeAll(async () => {
    expect(boxReads(model).map((r) => r.start)).toEqual([...RELEASED.keys()]);
    peer = await startPymodbusPeer(services.python!, { registers: RELEASED, writable: RELEASED.keys() });
    dso = new ModbusTcpClient({ host: '127.0.0.1', port: peer.port, unitId: 1, timeoutMs: 2000 });
    db = await openPglite(join(tmp.dir, 'pglite'));
    await migrate(db);
    await db.query("insert into sites (id, name) values ('werk', 'Werk')");
    svc = new ControlInputsService({ db, log: quiet, now: () => clock, sweepMs: 0 });
    await svc.start();
    input = new ControlBoxInput(boxConfig(peer.port), model, svc, quiet, () => clock);
  }, 60_000);

  afterAll(async () => {
    dso?.close();
    await input?.stop();
    await peer?.stop();
    await db?.close();
    tmp.remove();
  });

  it('a box without limits gives no signal', async () => {
    await input.poll();
    expect(input.status).toMatchObject({ state: 'online', polls: 1, lastError: null });
    expect(mine()).toEqual([]);
  });

  it('a §14a level becomes a signal from now for the hold time; the same level again keeps it', async () => {
    await write(0, 84); // 8.4 kW
    await input.poll();
    const [s] = mine();
    expect(s).toMatchObject({ kind: 'section14a-dimming', maxControllablePowerW: 8400, source: 'modbus', fromMs: T0, toMs: T0 + 60_000 });
    expect(s!.reference).toMatch(/^modbus:box:section14a-dimming:/);
    clock += 10_000;
    await input.poll();
    expect(mine()).toEqual([s]);
    clock += 25_000; // more than half the hold used: the end moves
    await input.poll();
    expect(mine()).toEqual([{ ...s, toMs: clock + 60_000 }]);
  });

  it('redispatch stages and a changed §14a level: the old signal is cancelled, new ones start', async () => {
    const old = mine()[0]!;
    await write(1, 300); // PV at most 300 kW
    await write(2, 0); // no feed-in
    await write(0, 42); // §14a now 4.2 kW
    clock += 1000;
    await input.poll();
    const now = mine();
    expect(now.map((s) => [s.kind, s.maxControllablePowerW ?? s.maxPvPowerW, s.maxExportPowerW])).toEqual([
      ['section14a-dimming', 4200, undefined],
      ['redispatch-curtailment', 300_000, 0],
    ]);
    const cancelled = await db.query<{ cancelled_at: unknown }>('select cancelled_at from grid_signals where id = $1', [old.id]);
    expect(cancelled.rows[0]!.cancelled_at).not.toBeNull();
  });

  it('"no limit" releases §14a; an activation may ask for export (negative grid power)', async () => {
    await write(0, 0xffff);
    await write(3, -200); // hold the grid at −200 kW (export)
    clock += 1000;
    await input.poll();
    expect(mine().map((s) => [s.kind, s.targetGridW ?? s.maxPvPowerW])).toEqual([
      ['redispatch-curtailment', 300_000],
      ['redispatch-activation', -200_000],
    ]);
  });

  it('a register the box refuses (exception) makes only its kind unreadable: that signal is kept, the others read', async () => {
    const gap: ModbusModel = {
      ...model,
      points: model.points.map((p) => (p.name === 'redispatch_target_grid_power' ? { ...p, source: { ...p.source, address: 9 } } : p)),
    };
    const other = new ControlBoxInput({ ...boxConfig(peer.port), id: 'box' }, gap, svc, quiet, () => clock);
    const before = mine();
    await write(1, 250); // PV at most 250 kW now
    clock += 1000;
    await other.poll();
    await other.stop();
    expect(other.status.lastError).toBe('redispatch_target_grid_power: not read');
    const after = mine();
    expect(after.find((s) => s.kind === 'redispatch-activation')).toEqual(before.find((s) => s.kind === 'redispatch-activation'));
    expect(after.find((s) => s.kind === 'redispatch-curtailment')?.maxPvPowerW).toBe(250_000);
  });

  it('an unreachable box releases nothing; its signals end at their hold time', async () => {
    const before = mine();
    await peer.stop();
    clock += 1000;
    await input.poll();
    expect(input.status.state).toBe('offline');
    expect(input.status.lastError).toMatch(/127\.0\.0\.1/);
    expect(mine()).toEqual(before);
    const latestEnd = Math.max(...before.map((s) => s.toMs));
    await svc.sweep(latestEnd);
    clock = latestEnd;
    expect(mine()).toEqual([]);
    clock = T0 + 100_000;
  });

  it('after a restart (service and box) the stored signals of the box are picked up, not duplicated', async () => {
    peer = await startPymodbusPeer(services.python!, { registers: RELEASED, writable: RELEASED.keys(), port: peer.port });
    dso.close();
    await write(1, 100);
    clock += 1000;
    await input.poll();
    const first = mine();
    expect(first.map((s) => [s.kind, s.maxPvPowerW])).toEqual([['redispatch-curtailment', 100_000]]);
    await input.stop();
    await svc.stop();
    svc = new ControlInputsService({ db, log: quiet, now: () => clock, sweepMs: 0 });
    await svc.start();
    input = new ControlBoxInput(boxConfig(peer.port), model, svc, quiet, () => clock);
    clock += 1000;
    await input.poll();
    expect(mine()).toEqual(first);
    const rows = await db.query<{ n: number }>('select count(*)::int as n from grid_signals where max_pv_power_w = 100000');
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('the service polls the boxes of LUNA_CONTROL_BOXES and turns a level into a signal', async () => {
    await write(0, 0xffff);
    await write(1, 0xffff);
    await write(2, 0xffff);
    await write(3, 0x8000);
    const file = join(tmp.dir, 'boxes.json');
    writeFileSync(
      file,
      JSON.stringify({ boxes: [{ siteId: 'werk', connection: { host: '127.0.0.1', port: peer.port, pollIntervalMs: 100 } }] }),
    );
    const PASSWORD = 'Sonnenstrom-2026!';
    await write(0, 110); // 11 kW
    const t = await startTestApp({ LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_CONTROL_BOXES: file });
    try {
      const token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
      // the box is polled before the site exists: storing fails, is logged, and is retried on the next poll
      const notStored = Date.now() + 10_000;
      while (!t.logs().some((l) => String(l.msg).includes('control box: the signal could not be stored')) && Date.now() < notStored)
        await new Promise((r) => setTimeout(r, 50));
      expect((await call(t.base, 'POST', '/sites', { token, body: { id: 'werk', name: 'Werk' } })).status).toBe(201);
      const end = Date.now() + 10_000;
      let signals: Array<{ kind: string; source: string; maxControllablePowerW?: number }> = [];
      while (Date.now() < end && signals.length === 0) {
        await new Promise((r) => setTimeout(r, 100));
        signals = (await call(t.base, 'GET', '/sites/werk/grid-signals', { token })).body;
      }
      expect(signals).toMatchObject([{ kind: 'section14a-dimming', source: 'modbus', maxControllablePowerW: 11_000 }]);
      expect(t.logs().some((l) => String(l.msg).includes('control box box of site werk: polling 127.0.0.1:'))).toBe(true);
      expect(t.logs().some((l) => String(l.msg).includes('control box: the signal could not be stored'))).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);
});
