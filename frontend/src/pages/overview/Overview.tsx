/** Overview: live power flow with SoC, and today's cost (plan), peak (measured) and savings (plan). */
import { useCallback, useEffect, useState } from 'react';
import { authed, getReadings, sitePath } from '../../api';
import { fromLocalMs, toLocalMs } from '../../series/localtime';
import { formatNumber, formatPower } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatEur, formatTime } from '../format';
import { LIVE_POLL_MS, useSiteSeries } from '../live';
import { parsePlan, savingsEur } from '../forecast/planModel';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { DEFAULT_KEYS, keysFromEnergy, localMidnightMs, peakOf, powerFlow, type FlowValue, type PowerFlow } from './model';
import { PowerFlowDiagram } from './PowerFlow';
import { OVERVIEW, type OverviewStrings } from './strings';

export function Overview(ctx: SitePageContext) {
  const { site, lang, c, failed } = ctx;
  const s = OVERVIEW[lang];
  const { res: series, live } = useSiteSeries(site.id, failed);
  const loadEnergy = useCallback(async () => keysFromEnergy(await authed('GET', sitePath(site.id, '/energy'))), [site.id]);
  const [energy] = useResource(`energy:${site.id}`, loadEnergy, failed);
  const keys = (energy.kind === 'ok' && energy.data) || DEFAULT_KEYS;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // re-judge staleness every second (values themselves arrive by push or poll)
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  return (
    <section className="card" aria-labelledby="overview-heading">
      <div className="card-head">
        <h2 id="overview-heading">{s.heading(site.name)}</h2>
      </div>
      {(energy.kind === 'unavailable' || energy.kind === 'error' || (energy.kind === 'ok' && !energy.data)) && (
        <p className="muted small">{s.energyDefault}</p>
      )}
      <div className="overview-grid">
        <div>
          <h3>{s.flowHeading}</h3>
          <ResourceState c={c} res={series} what={s.flowHeading}>
            {(list) => {
              const flow = powerFlow(list, keys, now);
              return (
                <>
                  <PowerFlowDiagram s={s} lang={lang} flow={flow} />
                  <FlowFacts s={s} ctx={ctx} flow={flow} />
                </>
              );
            }}
          </ResourceState>
          <p className="muted small" data-testid="live-state" data-live={live ? 'push' : 'poll'}>
            {live ? s.livePush : s.liveHint(LIVE_POLL_MS / 1000)}
          </p>
        </div>
        <Today
          s={s}
          ctx={ctx}
          gridSeriesId={series.kind === 'ok' ? (series.data.find((x) => x.key === keys.grid)?.id ?? null) : null}
          peakTargetW={keys.peakTargetW}
        />
      </div>
    </section>
  );
}

function FlowFacts({ s, ctx, flow }: { s: OverviewStrings; ctx: SitePageContext; flow: PowerFlow }) {
  const { lang, site } = ctx;
  const row = (id: string, label: string, v: FlowValue, state: string | null, unit: 'W' | '%' = 'W') => (
    <div data-testid={`flow-${id}`}>
      <dt>{label}</dt>
      <dd>
        <span className="flow-number" data-value={v.value ?? ''}>
          {v.value === null ? s.noReading : unit === 'W' ? formatPower(v.value, lang) : `${formatNumber(v.value, 1, lang)} %`}
        </span>
        {state && <span className="muted small"> · {state}</span>}
        {v.stale && <span className="badge badge-down"> {s.staleReading}</span>}
        {v.derived && <span className="muted small"> ({s.derived})</span>}
        {v.tsMs !== null && <span className="muted small block">{s.updatedAt(formatTime(v.tsMs, site.timeZone, lang))}</span>}
      </dd>
    </div>
  );
  const g = flow.gridW.value;
  const b = flow.batteryW.value;
  return (
    <dl className="facts flow-facts">
      {row('grid', s.grid, flow.gridW, g === null ? null : g > 0 ? s.importing : g < 0 ? s.exporting : s.idle)}
      {flow.hasPv ? row('pv', s.pv, flow.pvW, null) : null}
      {flow.hasBattery
        ? row('battery', s.battery, flow.batteryW, b === null ? null : b > 0 ? s.discharging : b < 0 ? s.charging : s.idle)
        : null}
      {flow.hasBattery ? row('soc', s.soc, flow.socPct, null, '%') : null}
      {row('load', s.load, flow.loadW, null)}
    </dl>
  );
}

function Today({
  s,
  ctx,
  gridSeriesId,
  peakTargetW,
}: {
  s: OverviewStrings;
  ctx: SitePageContext;
  gridSeriesId: number | null;
  peakTargetW: number | null;
}) {
  const { site, lang, c, failed } = ctx;
  const loadPlan = useCallback(async () => parsePlan(await authed('GET', sitePath(site.id, '/plans/current'))), [site.id]);
  const [plan] = useResource(`plan:${site.id}`, loadPlan, failed, 60_000);
  const dayStart = localMidnightMs(Date.now(), site.timeZone, toLocalMs, fromLocalMs);
  const loadPeak = useCallback(async () => {
    if (gridSeriesId === null) return null;
    const r = await getReadings(site.id, gridSeriesId, { from: new Date(dayStart), to: new Date(), agg: 'avg', resolution: '15m' });
    return peakOf(r.points);
  }, [site.id, gridSeriesId, dayStart]);
  const [peak] = useResource(`peak:${site.id}:${gridSeriesId}:${dayStart}`, loadPeak, failed, 60_000);

  const planView = plan.kind === 'ok' ? plan.data : null;
  const target = planView?.peakTargetW ?? peakTargetW;
  const saving = planView ? savingsEur(planView) : null;
  return (
    <div>
      <h3>{s.todayHeading}</h3>
      <dl className="facts today">
        <div data-testid="today-peak">
          <dt>{s.todayPeak}</dt>
          <dd>
            {peak.kind === 'ok' && peak.data ? (
              <>
                {formatPower(peak.data.peakW, lang)}{' '}
                <span className="muted small">({formatTime(peak.data.atMs, site.timeZone, lang, false)})</span>
              </>
            ) : peak.kind === 'loading' ? (
              c.loading
            ) : (
              c.none
            )}
          </dd>
        </div>
        <div>
          <dt>{s.peakTarget}</dt>
          <dd>{target === null ? c.none : formatPower(target, lang)}</dd>
        </div>
        <div data-testid="today-cost">
          <dt>
            {s.todayCost} <span className="badge badge-disabled">{c.estimate}</span>
          </dt>
          <dd>{planView && planView.totalEur !== null ? formatEur(planView.totalEur, lang) : c.none}</dd>
        </div>
        <div data-testid="today-savings">
          <dt>
            {s.savings} <span className="badge badge-disabled">{c.estimate}</span>
          </dt>
          <dd>{saving !== null ? formatEur(saving, lang) : c.none}</dd>
        </div>
      </dl>
      {plan.kind === 'unavailable' && (
        <p className="notice" data-state="not-available">
          {c.notAvailable(s.planFeature)}
        </p>
      )}
      {plan.kind === 'ok' && !plan.data && <p className="muted small">{s.planMissing}</p>}
      {planView && saving === null && <p className="muted small">{s.savingsMissing}</p>}
      {plan.kind === 'error' && (
        <p className="muted small">
          {s.planMissing} ({plan.message})
        </p>
      )}
      <p className="muted small">{s.peakNote}</p>
      <p className="muted small">{s.costNote}</p>
    </div>
  );
}
