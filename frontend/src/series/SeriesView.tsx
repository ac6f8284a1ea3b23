/** A site's series: live list (every 5 s) with latest values, and a chart of up to four of them. */
import { useEffect, useState } from 'react';
import { listSeries } from '../api';
import type { Lang, Strings } from '../i18n';
import type { Site } from '../api';
import { MAX_SELECTED, MAX_UNITS, selectBlock, toggleSelected, type SeriesInfo } from './model';
import { SeriesChartPanel } from './SeriesChartPanel';
import { SeriesTable } from './SeriesTable';
import { useFailure } from '../useFailure';

const POLL_MS = 5000;

interface SeriesViewProps {
  t: Strings;
  lang: Lang;
  site: Site;
  onBack: () => void;
  onSessionEnded: () => void;
}

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; series: SeriesInfo[] };

export function SeriesView({ t, lang, site, onBack, onSessionEnded }: SeriesViewProps) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [selected, setSelected] = useState<number[]>([]);
  const [blocked, setBlocked] = useState<string | null>(null);

  const failed = useFailure(onSessionEnded, t);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      try {
        const series = await listSeries(site.id);
        if (stopped) return;
        setLoad({ kind: 'ok', series });
        setError(null);
      } catch (err) {
        if (stopped) return;
        const message = failed(err);
        if (message === null) return;
        // Keep showing the last list; say that it is stale.
        setLoad((prev) => (prev.kind === 'ok' ? prev : { kind: 'error', message }));
        setError(message);
      }
      setNow(Date.now());
      timer = window.setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [site.id, failed]);

  const series = load.kind === 'ok' ? load.series : [];
  const chosen = selected.map((id) => series.find((s) => s.id === id)).filter((s): s is SeriesInfo => s !== undefined);

  const toggle = (id: number) => {
    const why = selectBlock(series, selected, id);
    setBlocked(why === 'max' ? t.seriesBlockedMax(MAX_SELECTED) : why === 'units' ? t.seriesBlockedUnits(MAX_UNITS) : null);
    setSelected((prev) => toggleSelected(series, prev, id));
  };

  return (
    <section className="card" aria-labelledby="series-heading">
      <div className="card-head">
        <h2 id="series-heading">{t.seriesHeading(site.name)}</h2>
        <button type="button" className="btn btn-small" onClick={onBack}>
          {t.backToSites}
        </button>
      </div>
      <p className="muted small">{t.seriesSelectHint(MAX_SELECTED, MAX_UNITS)}</p>

      <div aria-live="polite">
        {load.kind === 'loading' && <p className="summary">{t.seriesLoading}</p>}
        {load.kind === 'error' && <p className="error">{load.message}</p>}
        {load.kind === 'ok' && error && <p className="error">{error}</p>}
        {blocked && <p className="info">{blocked}</p>}
      </div>

      {load.kind === 'ok' && series.length === 0 && <p className="muted">{t.seriesNone}</p>}
      {series.length > 0 && <SeriesTable t={t} lang={lang} series={series} selected={selected} now={now} onToggle={toggle} />}

      <SeriesChartPanel t={t} lang={lang} site={site} series={chosen} failed={failed} />
    </section>
  );
}
