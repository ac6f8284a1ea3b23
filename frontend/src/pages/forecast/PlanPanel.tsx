/** The plan in force: cost breakdown, problems, the next steps; "plan again" for operators. */
import { useCallback, useState } from 'react';
import { can } from '../../access';
import { authed, sitePath } from '../../api';
import { formatPower } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatEur, formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parsePlan, savingsEur } from './planModel';
import { FORECAST } from './strings';

const SHOWN_STEPS = 8;

export function PlanPanel({ ctx }: { ctx: SitePageContext }) {
  const { site, lang, c, failed, roles } = ctx;
  const s = FORECAST[lang];
  const load = useCallback(async () => parsePlan(await authed('GET', sitePath(site.id, '/plans/current'))), [site.id]);
  const [res, reload] = useResource(`plan:${site.id}`, load, failed, 30_000);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const replan = async () => {
    setBusy(true);
    try {
      await authed('POST', sitePath(site.id, '/plans'), {});
      setNote(s.replanned);
      await reload();
    } catch (err) {
      setNote(failed(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="plan">
      <div className="card-head">
        <h3>{s.planHeading}</h3>
        {can(roles, 'operate', site.id) && res.kind !== 'unavailable' && (
          <button type="button" className="btn btn-small" onClick={() => void replan()} disabled={busy} aria-busy={busy}>
            {busy ? c.sending : s.replan}
          </button>
        )}
      </div>
      <div aria-live="polite">{note && <p className="info">{note}</p>}</div>
      <ResourceState c={c} res={res} what={s.planFeature}>
        {(plan) => {
          if (!plan) return <p className="muted">{s.noPlan}</p>;
          const saving = savingsEur(plan);
          const now = Date.now();
          const next = plan.steps.filter((st) => st.startMs + 15 * 60_000 > now).slice(0, SHOWN_STEPS);
          return (
            <>
              <p className="muted small">
                {s.planMeta(plan.createdAtMs ? formatTime(plan.createdAtMs, site.timeZone, lang) : c.none, plan.reason || c.none)}
                {plan.status && ` · ${s.status(plan.status)}`}
              </p>
              <dl className="facts">
                <div>
                  <dt>{s.peakTarget}</dt>
                  <dd>{plan.peakTargetW === null ? c.none : formatPower(plan.peakTargetW, lang)}</dd>
                </div>
                <div>
                  <dt>{s.total}</dt>
                  <dd>{plan.totalEur === null ? c.none : formatEur(plan.totalEur, lang)}</dd>
                </div>
                <div>
                  <dt>{s.baseline}</dt>
                  <dd>{plan.baselineEur === null ? c.none : formatEur(plan.baselineEur, lang)}</dd>
                </div>
                <div>
                  <dt>{s.savings}</dt>
                  <dd>{saving === null ? c.none : formatEur(saving, lang)}</dd>
                </div>
              </dl>
              {plan.items.length > 0 && (
                <table className="table">
                  <caption>{s.breakdownHeading}</caption>
                  <tbody>
                    {plan.items.map((it) => (
                      <tr key={it.key}>
                        <th scope="row">{s.costNames[it.key] ?? it.key}</th>
                        <td className="num">{formatEur(it.eur, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {plan.tariffItems.length > 0 && (
                <table className="table">
                  <caption>{s.tariffHeading}</caption>
                  <tbody>
                    {plan.tariffItems.map((it) => (
                      <tr key={it.key}>
                        <th scope="row">{s.costNames[it.key] ?? it.key}</th>
                        <td className="num">{formatEur(it.eur, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {plan.problems.length > 0 && (
                <>
                  <h4>{s.problems}</h4>
                  <ul>
                    {plan.problems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                </>
              )}
              {next.length > 0 && (
                <table className="table">
                  <caption>{s.stepsHeading}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{s.colStart}</th>
                      <th scope="col">{s.colGrid}</th>
                      <th scope="col">{s.colBattery}</th>
                      <th scope="col">{s.colSoc}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {next.map((st) => (
                      <tr key={st.startMs}>
                        <td>{formatTime(st.startMs, site.timeZone, lang, false)}</td>
                        <td className="num">{formatPower(st.gridW, lang)}</td>
                        <td className="num">{formatPower(st.batteryW, lang)}</td>
                        <td className="num">{st.socPct === null ? c.none : `${st.socPct.toFixed(0)} %`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </ResourceState>
    </div>
  );
}
