/**
 * Devices through the service: configure a device over the API, see its health in
 * GET /sites/:siteId/devices, /ready and /metrics, write a setpoint, break the device and watch
 * the state, remove it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';
import { ModbusTestServer } from './modbus/server.js';

const PASSWORD = 'Sonnenstrom-2026!';

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('devices API', () => {
  let t: TestApp;
  let token = '';
  const server = new ModbusTestServer();

  beforeAll(async () => {
    server.set(100, [1500, 0]); // 1500 W, SF 0
    server.set(102, [800]); // 80 %
    server.set(104, [0, 100, 0, 200]);
    server.set(110, [215]);
    server.set(200, [0, 0, 0, 0], true);
    await server.listen();
    t = await startTestApp({ LUNA_ADMIN_PASSWORD: PASSWORD });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    expect((await call(t.base, 'POST', '/sites', { token, body: { id: 'werk', name: 'Werk' } })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await server.close();
  });

  it('lists the model catalogue', async () => {
    const r = await call(t.base, 'GET', '/device-models', { token });
    expect(r.status).toBe(200);
    const ids = (r.body as Array<{ id: string }>).map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['sunspec-inverter', 'sunspec-battery-inverter', 'generic-modbus-battery', 'generic-mqtt-meter']),
    );
  });

  it('refuses a device configuration with the field and the reason', async () => {
    const bad = await call(t.base, 'PUT', '/sites/werk/devices/bat', {
      token,
      body: { model: 'generic-modbus-battery', protocol: 'modbus', connection: { host: '127.0.0.1', port: 70000 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/connection\.port/);
    const wrong = await call(t.base, 'PUT', '/sites/werk/devices/bat', {
      token,
      body: { model: 'sunspec-inverter', protocol: 'modbus', connection: { host: 'x' } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/protocol: device says "modbus" but model "sunspec-inverter" is "sunspec"/);
    const unknown = await call(t.base, 'PUT', '/sites/werk/devices/bat', {
      token,
      body: { model: 'nope', protocol: 'modbus', connection: { host: 'x' } },
    });
    expect(unknown.body.message).toMatch(/"nope" is not a known device model/);
  });

  it('runs a configured device: health in the API, /ready and /metrics; setpoint writes; states on faults; removal', async () => {
    const put = await call(t.base, 'PUT', '/sites/werk/devices/bat', {
      token,
      body: {
        model: 'generic-modbus-battery',
        protocol: 'modbus',
        connection: { host: '127.0.0.1', port: server.port, pollIntervalMs: 100, timeoutMs: 200, reconnectMinMs: 50, reconnectMaxMs: 200 },
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const online = await until('online', async () => {
      const r = await call(t.base, 'GET', '/sites/werk/devices', { token });
      return r.body[0]?.health.state === 'online' && r.body[0].health.lastValueMs ? r.body[0] : undefined;
    });
    expect(online.config.connection.host).toBe('127.0.0.1');
    expect(online.stored).toBe(true);

    await until('readings stored', async () => {
      const s = await call(t.base, 'GET', '/sites/werk/series', { token });
      return (s.body as Array<{ key: string }>).some((x) => x.key === 'bat/state_of_charge');
    });

    const ready = await call(t.base, 'GET', '/ready');
    expect(ready.body.devices).toEqual([expect.objectContaining({ siteId: 'werk', deviceId: 'bat', state: 'online', protocol: 'modbus' })]);
    const metrics = await call(t.base, 'GET', '/metrics');
    expect(metrics.body).toMatch(/luna_device_state\{[^}]*device="bat"[^}]*state="online"[^}]*\} 1/);
    expect(metrics.body).toMatch(/luna_device_last_value_timestamp_seconds\{[^}]*device="bat"/);

    const w = await call(t.base, 'POST', '/sites/werk/devices/bat/setpoints/power_setpoint_w', {
      token,
      body: { value: 2500, revertTimeoutS: 45, reason: 'test' },
    });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(server.get(200, 4)).toEqual([0, 2500, 45, 1]);
    const tooBig = await call(t.base, 'POST', '/sites/werk/devices/bat/setpoints/power_setpoint_w', { token, body: { value: 1e6 } });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.message).toMatch(/outside -10000..10000 W/);
    const audit = await call(t.base, 'GET', '/audit?limit=5', { token });
    expect(JSON.stringify(audit.body)).toMatch(/command\.setpoint/);

    server.fault = 'drop';
    const off = await until('offline', async () => {
      const r = await call(t.base, 'GET', '/sites/werk/devices', { token });
      return r.body[0]?.health.state === 'offline' ? r.body[0].health : undefined;
    });
    expect(off.lastError.kind).toBe('connection');
    expect((await call(t.base, 'POST', '/sites/werk/devices/bat/setpoints/power_setpoint_w', { token, body: { value: 1 } })).status).toBe(
      409,
    );
    server.fault = 'none';
    await until(
      'online again',
      async () => (await call(t.base, 'GET', '/sites/werk/devices', { token })).body[0]?.health.state === 'online',
    );
    expect((await call(t.base, 'GET', '/metrics')).body).toMatch(
      /luna_device_errors_total\{[^}]*device="bat"[^}]*kind="connection"[^}]*\} [1-9]/,
    );

    expect((await call(t.base, 'DELETE', '/sites/werk/devices/bat', { token })).status).toBe(204);
    expect((await call(t.base, 'GET', '/sites/werk/devices', { token })).body).toEqual([]);
    expect((await call(t.base, 'DELETE', '/sites/werk/devices/bat', { token })).status).toBe(404);
  }, 30_000);
});
