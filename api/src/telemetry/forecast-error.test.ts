import { describe, expect, it } from 'vitest';
import { insertForecast } from '../forecast/store.js';
import { call, startTestApp } from '../test/app.js';
import { realisedError } from './forecast-error.js';

const Q = 900_000;

describe('realised forecast error', () => {
  it('compares p50 with the measured step means that lie in the past', () => {
    const start = Date.parse('2026-11-26T00:00:00Z');
    const measured = new Map([
      [start, 1000],
      [start + Q, 1400],
      [start + 2 * Q, 800],
    ]);
    // step 3 is not over yet at now; step 2 has no measurement
    const e = realisedError(
      { startMs: start, stepMs: Q, p50: [1100, 1200, NaN, 900] },
      new Map([...measured].slice(0, 2)),
      start + 3.5 * Q,
    )!;
    expect(e).toEqual({ mae: 150, nmae: 150 / 1200, n: 2 });
    expect(realisedError({ startMs: start, stepMs: Q, p50: [0] }, new Map([[start, 0]]), start + Q)).toEqual({
      mae: 0,
      nmae: undefined,
      n: 1,
    });
    expect(realisedError({ startMs: start, stepMs: Q, p50: [1] }, new Map(), start + Q)).toBeUndefined();
  });

  it('luna_forecast_error on /metrics: the day-ahead load forecast against the stored load', async () => {
    const t = await startTestApp({ LUNA_ADMIN_PASSWORD: 'Prognose-Fehler-2026!', LUNA_FORECASTS: 'off', LUNA_ANOMALY_SCAN: 'off' });
    try {
      t.app.alerts.service.stopTriggers();
      const admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: 'Prognose-Fehler-2026!' } })).body
        .accessToken;
      await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk' } });
      const s = await call(t.base, 'POST', '/sites/werk/series', {
        token: admin,
        body: { key: 'load/power', quantity: 'active_power', semantics: 'instantaneous', intervalS: 900 },
      });
      const now = Date.now();
      const start = Math.floor((now - 30 * 3_600_000) / Q) * Q;
      await insertForecast(t.app.db, 'werk', {
        target: 'load',
        model: 'load.profile',
        unit: 'W',
        issuedAtMs: start - Q,
        startMs: start,
        stepMs: Q,
        p10: Array(192).fill(900_000),
        p50: Array(192).fill(1_000_000),
        p90: Array(192).fill(1_100_000),
      });
      // measured: 1.2 MW in every quarter hour of the first 24 h of the forecast
      const readings = Array.from({ length: 96 }, (_, i) => ({
        seriesId: s.body.id as number,
        tsMs: start + i * Q,
        value: 1_200_000,
        quality: 'measured' as const,
      }));
      await t.app.writer.enqueue(readings);
      await t.app.writer.sync();
      const text = (await call(t.base, 'GET', '/metrics')).body as string;
      const value = (measure: string) =>
        Number(
          new RegExp(`luna_forecast_error\\{[^}]*site="werk",target="load",model="load.profile",measure="${measure}"[^}]*\\} (\\S+)`).exec(
            text,
          )?.[1],
        );
      expect(value('mae')).toBeCloseTo(200_000, 3);
      expect(value('nmae')).toBeCloseTo(200_000 / 1_200_000, 6);
    } finally {
      await t.close();
    }
  });
});
