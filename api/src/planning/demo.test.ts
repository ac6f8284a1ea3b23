/**
 * The app with the demo site on the simulator (LUNA_DEMO=simulator, planning on its real timers):
 * the demo site gets DEMO_SITE_ENERGY, and a plan appears from its replayed real prices, its
 * measured history and the simulator's battery SoC — and is then in force for the control agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../test/app.js';

const PASSWORD = 'Demo-Planung-Musterwerk-1!';

describe('planning on the demo site (simulator)', () => {
  let t: TestApp;
  let token = '';
  beforeAll(async () => {
    t = await startTestApp({ LUNA_DEMO: 'simulator', LUNA_ADMIN_PASSWORD: PASSWORD, LUNA_ANOMALY_SCAN: 'off', LUNA_FORECASTS: 'off' });
    token = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('stores the demo energy configuration and plans for the demo site on its own', async () => {
    const energy = await call(t.base, 'GET', '/sites/demo/energy', { token });
    expect(energy.status).toBe(200);
    expect(energy.body).toMatchObject({ siteId: 'demo', version: 1, updatedBy: 'luna' });
    let current: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 90; i++) {
      current = await call(t.base, 'GET', '/sites/demo/plans/current', { token });
      if (current.status === 200) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(current?.status, JSON.stringify(current?.body)).toBe(200);
    const plan = current!.body;
    expect(plan.reason).toMatch(/startup|prices|forecast|configuration/);
    expect(plan.steps.length).toBeGreaterThanOrEqual(96);
    expect(plan.steps.length).toBeLessThanOrEqual(192);
    expect(t.logs().some((l) => String(l.msg).startsWith('planning for 1 site(s): demo'))).toBe(true);

    // a manual re-plan adds to the history; once the simulator's battery has reported, its SoC is used (no assumption)
    for (let i = 0; i < 60; i++) {
      const series = (await call(t.base, 'GET', '/sites/demo/series', { token })).body as Array<{ key: string; latest: unknown }>;
      if (series.find((s) => s.key === 'battery/soc')?.latest) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const n = (await call(t.base, 'GET', '/sites/demo/plans', { token })).body.plans.length;
    const manual = await call(t.base, 'POST', '/sites/demo/plans', { token });
    expect(manual.status).toBe(201);
    expect(manual.body.inputs.warnings.join(' ')).not.toMatch(/no SoC reading/);
    expect((await call(t.base, 'GET', '/sites/demo/plans', { token })).body.plans.length).toBe(n + 1);
    if (process.env.LUNA_PLAN_DEBUG) console.log(JSON.stringify({ reason: manual.body.reason, inputs: manual.body.inputs }, null, 1));
  }, 120_000);
});
