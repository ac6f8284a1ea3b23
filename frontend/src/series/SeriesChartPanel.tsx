/** Span and resolution choice, loading of the readings, the chart and the CSV export. */
import { useEffect, useMemo, useState } from 'react';
import { getReadings } from '../api';
import type { Lang, Strings } from '../i18n';
import type { Site } from '../api';
import { Chart } from './Chart';
import { PALETTE, type ChartLine } from './chartModel';
import { COMPARE_PALETTE, compareId, meanOf, previousPeriodLine } from './compare';
import { buildCsv, csvFileName } from './csv';
import { zoneOrUtc } from './localtime';
import { aggFor, allowedResolutions, SPANS, type Readings, type Resolution, type SeriesInfo, type SpanId } from './model';
import { formatValue } from './units';

const RELOAD_MS = 60_000;

interface PanelProps {
  t: Strings;
  lang: Lang;
  site: Site;
  series: SeriesInfo[];
  /** message for an error, or null when the session ended */
  failed: (err: unknown) => string | null;
}

interface Loaded {
  t0: number;
  t1: number;
  readings: Map<number, Readings>;
  /** the span before t0, when comparing periods */
  previous: Map<number, Readings> | null;
}

export function SeriesChartPanel({ t, lang, site, series, failed }: PanelProps) {
  const [span, setSpan] = useState<SpanId>('24h');
  const [resolution, setResolution] = useState<Resolution | 'auto'>('auto');
  const [data, setData] = useState<Loaded | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [compare, setCompare] = useState(false);
  const timeZone = zoneOrUtc(site.timeZone);
  const spanMs = SPANS.find((s) => s.id === span)!.ms;
  const ids = series.map((s) => s.id).join(',');

  useEffect(() => {
    const timer = window.setInterval(() => setReload((n) => n + 1), RELOAD_MS);
    return () => window.clearInterval(timer);
  }, []);

  useEffect(() => {
    if (series.length === 0) {
      setData(null);
      return;
    }
    let stopped = false;
    const t1 = Date.now();
    const t0 = t1 - spanMs;
    setBusy(true);
    const load = (from: number, to: number) =>
      Promise.all(
        series.map((s) =>
          getReadings(site.id, s.id, {
            from: new Date(from),
            to: new Date(to),
            agg: aggFor(s.semantics),
            ...(resolution === 'auto' ? {} : { resolution }),
          }).then((r) => [s.id, r] as const),
        ),
      );
    Promise.all([load(t0, t1), compare ? load(t0 - spanMs, t0) : Promise.resolve(null)])
      .then(([results, previous]) => {
        if (stopped) return;
        setData({ t0, t1, readings: new Map(results), previous: previous ? new Map(previous) : null });
        setError(null);
      })
      .catch((err: unknown) => {
        if (!stopped) setError(failed(err));
      })
      .finally(() => {
        if (!stopped) setBusy(false);
      });
    return () => {
      stopped = true;
    };
    // `series` changes identity on every list refresh (every 5 s); the ids say whether the selection changed.
  }, [ids, spanMs, resolution, reload, site.id, compare]);

  const toLine = (s: SeriesInfo, r: Readings, color: string): ChartLine => ({
    id: s.id,
    name: s.name || s.key,
    unit: s.unit,
    color,
    points: r.points.map((p) => ({ t: Date.parse(p.ts), value: p.value })),
    gaps: r.gaps.map((g) => ({ from: Date.parse(g.from), to: Date.parse(g.to) })),
  });
  const lines: ChartLine[] = useMemo(() => {
    if (!data) return [];
    const current = series.flatMap((s, i) => {
      const r = data.readings.get(s.id);
      return r ? [toLine(s, r, PALETTE[i % PALETTE.length]!)] : [];
    });
    const previous = data.previous
      ? series.flatMap((s, i) => {
          const r = data.previous?.get(s.id);
          const color = COMPARE_PALETTE[i % COMPARE_PALETTE.length]!;
          return r
            ? [previousPeriodLine(toLine(s, r, color), spanMs, t.previousPeriodName(s.name || s.key, t.spanNames[span]), color)]
            : [];
        })
      : [];
    return [...current, ...previous];
  }, [data, ids]);

  const shownResolution = data?.readings.values().next().value?.resolution;
  const pointCount = lines.reduce((n, l) => n + l.points.length, 0);

  const exportCsv = () => {
    if (!data) return;
    const text = buildCsv(
      series.flatMap((s) => {
        const r = data.readings.get(s.id);
        return r ? [{ key: s.key, name: s.name, unit: s.unit, points: r.points }] : [];
      }),
      timeZone,
    );
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = csvFileName(site.id, Date.now());
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  if (series.length === 0) return <p className="muted chart-empty">{t.chartPick}</p>;

  return (
    <div className="chart-panel">
      <div className="chart-tools">
        <div role="group" aria-label={t.spanLabel} className="segmented">
          {SPANS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={`btn btn-small${s.id === span ? ' btn-primary' : ''}`}
              aria-pressed={s.id === span}
              onClick={() => {
                setSpan(s.id);
                if (resolution !== 'auto' && !allowedResolutions(s.ms).includes(resolution)) setResolution('auto');
              }}
            >
              {t.spanNames[s.id]}
            </button>
          ))}
        </div>
        <div className="field field-inline">
          <label htmlFor="chart-resolution">{t.resolutionLabel}</label>
          <select id="chart-resolution" value={resolution} onChange={(e) => setResolution(e.target.value as Resolution | 'auto')}>
            <option value="auto">{t.resolutionAuto}</option>
            {allowedResolutions(spanMs).map((r) => (
              <option key={r} value={r}>
                {t.resolutionNames[r]}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.target.checked)} /> {t.comparePrevious(t.spanNames[span])}
        </label>
        <button type="button" className="btn btn-small" onClick={() => setReload((n) => n + 1)} disabled={busy}>
          {t.chartReload}
        </button>
        <button type="button" className="btn btn-small" onClick={exportCsv} disabled={!data || pointCount === 0} title={t.csvExportHint}>
          <span aria-hidden="true">{t.csvExport}</span>
          <span className="visually-hidden">{t.csvExportHint}</span>
        </button>
      </div>

      <div aria-live="polite">
        {busy && !data && <p className="summary">{t.chartLoading}</p>}
        {error && <p className="error">{error}</p>}
        {shownResolution && (
          <p className="muted small">
            {t.resolutionShown(t.resolutionNames[shownResolution as Resolution] ?? shownResolution)}
            {busy ? ` · ${t.chartLoading}` : ''}
          </p>
        )}
      </div>

      {data && pointCount === 0 && <p className="muted">{t.chartEmpty}</p>}
      {data?.previous && (
        <ul className="plain small" data-testid="compare-summary">
          {series.map((s) => {
            const cur = lines.find((l) => l.id === s.id);
            const prev = lines.find((l) => l.id === compareId(s.id));
            const a = cur ? meanOf(cur) : null;
            const b = prev ? meanOf(prev) : null;
            return (
              <li key={s.id}>
                {t.compareMeans(
                  s.name || s.key,
                  a === null ? '–' : formatValue(a, s.unit, lang),
                  b === null ? '–' : formatValue(b, s.unit, lang),
                )}
              </li>
            );
          })}
        </ul>
      )}
      {data && lines.length > 0 && (
        <Chart
          t={t}
          lang={lang}
          lines={lines}
          t0={data.t0}
          t1={data.t1}
          timeZone={timeZone}
          quality={(id, i) => (id < 0 ? data.previous?.get(-id) : data.readings.get(id))?.points[i]?.quality ?? ''}
        />
      )}
    </div>
  );
}
