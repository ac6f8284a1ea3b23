/**
 * Recommendations in the running app (PGlite, and PostgreSQL when scripts/services set DATABASE_URL):
 * the stored history reproduces the pure generator's answer, the bandits' choice and numbers are
 * reported, and realised outcomes persist in bandit_state / bandit_outcomes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTariff } from '../tariffs/loader.js';
import { call, STORES, type TestApp } from '../test/app.js';
import { startAppWithHistory, SYNTH_ENERGY, SYNTH_START_MS, syntheticHistory } from './fixtures.js';
import { recommend } from './generate.js';
import { loadSiteHistory } from './history.js';
import { BanditStore } from './store.js';
import { CONTEXT_NAMES, STRATEGY_ARMS } from './strategy.js';

const PASSWORD = 'Empfehlung-Leistungspreis-2026!';
const DAY = 86_400_000;
const AT = SYNTH_START_MS + 14 * DAY;

describe.each(STORES)('recommendations on $store', ({ store, skip }) => {
  let t: TestApp;
  let token = '';
  const history = syntheticHistory(14);

  beforeAll(async () => {
    if (skip) return;
    ({ t, token } = await startAppWithHistory(store, PASSWORD, history));
  }, 180_000);
  afterAll(async () => {
    if (!skip) await t.close();
  });

  it.skipIf(skip)('loads the stored history step for step', async () => {
    const h = await loadSiteHistory(t.app.db, 'werk', SYNTH_ENERGY, SYNTH_START_MS, AT);
    expect(h.steps).toBe(history.steps);
    expect(h.missingSeries).toEqual([]);
    for (const k of ['loadW', 'pvW', 'gridW', 'batteryW', 'socPct', 'spotPriceEurPerMWh'] as const) {
      h[k].forEach((v, i) => expect(v, `${k}[${i}]`).toBeCloseTo(history[k][i]!, 6));
    }
    expect(h.flexibleLoads[0]!.powerW).toEqual(history.flexibleLoads[0]!.powerW);
  });

  it.skipIf(skip)('answers with the ranked recommendations of the pure generator', async () => {
    const r = await call(t.base, 'POST', '/sites/werk/recommend', { token, body: { days: 14, at: new Date(AT).toISOString() } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const pure = recommend({
      nowMs: AT,
      timeZone: 'Europe/Berlin',
      energy: SYNTH_ENERGY,
      tariff: await loadTariff(SYNTH_ENERGY.tariffId),
      history,
      window: { from: new Date(SYNTH_START_MS).toISOString(), to: new Date(AT).toISOString() },
    });
    expect(r.body.recommendations.map((x: { id: string }) => x.id)).toEqual(pure.recommendations.map((x) => x.id));
    r.body.recommendations.forEach((x: { expectedSavingEur: number }, i: number) =>
      expect(x.expectedSavingEur).toBeCloseTo(pure.recommendations[i]!.expectedSavingEur, 1),
    );
    expect(r.body.window).toMatchObject({ days: 14 });
    const first = r.body.recommendations[0];
    expect(first).toMatchObject({ rank: 1, savingPeriod: 'year' });
    expect(first.evidence.series.length).toBeGreaterThan(0);
  });

  it.skipIf(skip)("reports the bandits' choice with their numbers, and learns from recorded outcomes", async () => {
    const ask = () => call(t.base, 'POST', '/sites/werk/recommend', { token, body: { days: 7, at: new Date(AT).toISOString() } });
    const before = await ask();
    const s = before.body.strategy;
    expect(Object.keys(s.context)).toEqual([...CONTEXT_NAMES]);
    expect(s.context.bias).toBe(1);
    expect(s.context.workday).toBe(1); // Monday 16 June 2025
    expect(s.contextSources.priceSpread).toMatch(/prices/);
    expect(STRATEGY_ARMS.map((a) => a.id)).toContain(s.chosen.armId);
    expect(s.policies.map((p: { policy: string; updates: number }) => [p.policy, p.updates])).toEqual([
      ['thompson', 0],
      ['linucb', 0],
    ]);
    const vector = CONTEXT_NAMES.map((n) => s.context[n] as number);
    // one arm does well twice, another badly: the learnt means say so
    await t.app.recommend.recordOutcome('werk', 'r50-q90-p+0', vector, 40);
    await t.app.recommend.recordOutcome('werk', 'r50-q90-p+0', vector, 44);
    await t.app.recommend.recordOutcome('werk', 'r10-q50-p+0', vector, -20);
    const after = (await ask()).body.strategy;
    expect(after.policies.map((p: { updates: number }) => p.updates)).toEqual([3, 3]);
    const lin = after.policies.find((p: { policy: string }) => p.policy === 'linucb');
    const thompson = after.policies.find((p: { policy: string }) => p.policy === 'thompson');
    expect(thompson.scores[0]).toMatchObject({ armId: 'r50-q90-p+0', n: 2 });
    expect(thompson.scores[0].mean).toBeGreaterThan(30);
    expect(lin.scores.find((x: { armId: string }) => x.armId === 'r50-q90-p+0').mean).toBeGreaterThan(20);
    // the state is in the database: another store on the same database sees the same
    const again = await new BanditStore(t.app.db).current('werk', vector);
    expect(again.map((p) => [p.policy, p.choice.armId, p.updates])).toEqual(
      (await t.app.recommend.current('werk', vector)).map((p) => [p.policy, p.choice.armId, p.updates]),
    );
    const outcomes = await t.app.recommend.outcomes('werk');
    expect(outcomes.map((o) => o.rewardEur)).toEqual([-20, 44, 40]);
    await expect(t.app.recommend.recordOutcome('werk', 'no-such-arm', vector, 1)).rejects.toThrow(/unknown arm "no-such-arm"/);
    await expect(t.app.recommend.recordOutcome('werk', 'r10-q50-p+0', [1, 2], 1)).rejects.toThrow(/context has 2 values/);
    expect((await t.app.recommend.outcomes('werk')).length).toBe(3);
  });

  it.skipIf(skip)('says what is missing instead of guessing', async () => {
    const none = await call(t.base, 'POST', '/sites/leer/recommend', { token, body: {} });
    expect(none.status).toBe(409);
    expect(none.body.message).toMatch(/no energy configuration/);
    const nowhere = await call(t.base, 'POST', '/sites/nirgends/recommend', { token });
    expect(nowhere.status, JSON.stringify(nowhere.body)).toBe(404);
    // a window without readings: no recommendations, and notes that say why
    const empty = await call(t.base, 'POST', '/sites/werk/recommend', { token, body: { days: 7, at: '2024-01-10T00:00:00Z' } });
    expect(empty.status).toBe(200);
    expect(empty.body.recommendations).toEqual([]);
    expect(empty.body.notes.join(' ')).toMatch(/no day with at least half/);
    expect(empty.body.coverage.gridW).toBe(0);
  });
});
