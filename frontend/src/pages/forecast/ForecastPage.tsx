/** Forecast vs actual with quantile bands, and the current plan with its cost breakdown. */
import { useCallback, useId, useState } from 'react';
import { authed, getReadings, listSeries, sitePath } from '../../api';
import { formatPower } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { ACTUAL_KEY, bandChart, forecastError, parseForecasts, TARGETS, type Target } from './model';
import { PlanPanel } from './PlanPanel';
import { FORECAST } from './strings';

const BOX = { left: 8, top: 8, width: 584, height: 204 };

export function ForecastPage(ctx: SitePageContext) {
  const { site, lang, c, failed } = ctx;
  const s = FORECAST[lang];
  const [target, setTarget] = useState<Target>('load');
  const selectId = useId();

  const load = useCallback(async () => {
    const forecasts = parseForecasts(await authed('GET', sitePath(site.id, `/forecasts?target=${target}`)));
    const f = forecasts[0] ?? null;
    if (!f) return { f: null, actual: [] };
    const series = (await listSeries(site.id)).find((x) => x.key === ACTUAL_KEY[target]);
    const to = Math.min(Date.now(), f.startMs + f.p50.length * f.stepMs);
    const actual =
      series && to > f.startMs
        ? (
            await getReadings(site.id, series.id, { from: new Date(f.startMs), to: new Date(to), agg: 'avg', resolution: '15m' })
          ).points.map((p) => ({
            ms: Date.parse(p.ts),
            value: p.value,
          }))
        : [];
    return { f, actual };
  }, [site.id, target]);
  const [res] = useResource(`forecast:${site.id}:${target}`, load, failed, 60_000);

  return (
    <section className="card" aria-labelledby="forecast-heading">
      <div className="card-head">
        <h2 id="forecast-heading">{s.heading(site.name)}</h2>
      </div>
      <h3>{s.forecastHeading}</h3>
      <div className="field field-inline">
        <label htmlFor={selectId}>{s.target}</label>
        <select id={selectId} value={target} onChange={(e) => setTarget(e.target.value as Target)}>
          {TARGETS.map((tg) => (
            <option key={tg} value={tg}>
              {s.targets[tg]}
            </option>
          ))}
        </select>
      </div>
      <ResourceState c={c} res={res} what={s.forecastHeading}>
        {({ f, actual }) => {
          if (!f) return <p className="muted">{s.noForecast}</p>;
          const chart = bandChart(f, actual, BOX);
          const err = forecastError(f, actual);
          return (
            <>
              <p className="muted small">{s.issued(f.model, formatTime(f.issuedAtMs, site.timeZone, lang, false))}</p>
              {chart && (
                <figure className="band-chart">
                  <svg viewBox="0 0 600 220" role="img" aria-label={s.chartLabel(s.targets[target] ?? target)}>
                    <path d={chart.band} className="band" />
                    <path d={chart.median} className="band-median" />
                    <path d={chart.actual} className="band-actual" />
                  </svg>
                  <figcaption className="legend small">
                    <span className="key key-band">{s.legendBand}</span> <span className="key key-median">{s.legendMedian}</span>{' '}
                    <span className="key key-actual">{s.legendActual}</span> · {formatPower(chart.yMin, lang)} …{' '}
                    {formatPower(chart.yMax, lang)} · {formatTime(chart.t0, site.timeZone, lang, false)} –{' '}
                    {formatTime(chart.t1, site.timeZone, lang, false)}
                  </figcaption>
                </figure>
              )}
              <p className="small">{err ? s.error(formatPower(err.maeW, lang), Math.round(err.coverage * 100), err.steps) : s.noActual}</p>
            </>
          );
        }}
      </ResourceState>
      <PlanPanel ctx={ctx} />
    </section>
  );
}
