/** Alerts (open, acknowledge, history), the site's events, and the rules editors. */
import { useCallback, useState } from 'react';
import { can } from '../../access';
import { authed, sitePath } from '../../api';
import type { SitePageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parseAlerts, parseEvents, splitAlerts, type AlertView, type EventView } from './model';
import { RuleEditor, type RuleEditorSpec } from './RuleEditor';
import { ALERTS, type AlertsStrings } from './strings';

const POLL_MS = 5000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function activeOrBuiltin(body: unknown): unknown {
  if (!isRecord(body)) return body;
  if (isRecord(body.active) && body.active.ruleSet) return body.active.ruleSet;
  const builtin = Array.isArray(body.builtins) ? body.builtins.find((b) => isRecord(b) && b.ruleSet) : undefined;
  return isRecord(builtin) ? builtin.ruleSet : { rules: [] };
}

export function AlertsPage(ctx: SitePageContext) {
  const { site, lang, c, failed, roles } = ctx;
  const s = ALERTS[lang];
  const mayAck = can(roles, 'operate', site.id);
  const mayEdit = can(roles, 'configure', site.id);

  const loadAlerts = useCallback(async () => parseAlerts(await authed('GET', sitePath(site.id, '/alerts?limit=200'))), [site.id]);
  const [alerts, reloadAlerts] = useResource(`alerts:${site.id}`, loadAlerts, failed, POLL_MS);
  const loadEvents = useCallback(async () => {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    return parseEvents(await authed('GET', sitePath(site.id, `/events?limit=100&from=${encodeURIComponent(from)}`)));
  }, [site.id]);
  const [events, reloadEvents] = useResource(`events:${site.id}`, loadEvents, failed, POLL_MS);

  const controlRules: RuleEditorSpec = {
    heading: s.rulesHeading,
    intro: s.rulesIntro,
    feature: s.rulesFeature,
    path: '/rules',
    validate: { method: 'POST', path: '/rules/validate' },
    // the dry run replays the last 7 days
    dryRun: {
      method: 'POST',
      path: '/rules/dry-run',
      extra: () => ({ from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date().toISOString() }),
    },
    // the active set; without one, the first built-in set that resolves on this site as a starting point
    toText: (body) => JSON.stringify(activeOrBuiltin(body), null, 2),
    toBody: (v) => ({ ruleSet: v }),
  };
  const alertRules: RuleEditorSpec = {
    heading: s.alertRulesHeading,
    intro: s.alertRulesIntro,
    feature: s.alertRulesFeature,
    path: '/alert-rules',
    // PUT ?dryRun=true validates (a 400 names rule and field) and evaluates the rules now, saving nothing
    validate: { method: 'PUT', path: '/alert-rules?dryRun=true' },
    dryRun: { method: 'PUT', path: '/alert-rules?dryRun=true' },
    toText: (body) => JSON.stringify(isRecord(body) && Array.isArray(body.rules) ? body.rules : body, null, 2),
    toBody: (v) => (Array.isArray(v) ? { rules: v } : v),
    builtIn: (body) => isRecord(body) && body.builtIn === true,
  };

  return (
    <section className="card" aria-labelledby="alerts-heading">
      <div className="card-head">
        <h2 id="alerts-heading">{s.heading(site.name)}</h2>
      </div>
      <ResourceState c={c} res={alerts} what={s.alertsFeature}>
        {(list) => {
          const { open, history } = splitAlerts(list);
          return (
            <>
              <h3>{s.openHeading}</h3>
              {open.length === 0 ? (
                <p className="muted" data-testid="no-open-alerts">
                  {s.noOpen}
                </p>
              ) : (
                <ul className="alerts" data-testid="open-alerts">
                  {open.map((a) => (
                    <AlertItem key={a.id} s={s} ctx={ctx} a={a} mayAck={mayAck} onAcked={reloadAlerts} />
                  ))}
                </ul>
              )}
              <details open={open.length === 0 && history.length > 0}>
                <summary>
                  {s.historyHeading} ({history.length})
                </summary>
                {history.length === 0 ? (
                  <p className="muted small">{s.noHistory}</p>
                ) : (
                  <ul className="alerts" data-testid="alert-history">
                    {history.map((a) => (
                      <AlertItem key={a.id} s={s} ctx={ctx} a={a} mayAck={false} onAcked={reloadAlerts} />
                    ))}
                  </ul>
                )}
              </details>
            </>
          );
        }}
      </ResourceState>

      <h3>{s.eventsHeading}</h3>
      <ResourceState c={c} res={events} what={s.eventsFeature}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted small">{s.noEvents}</p>
          ) : (
            <ul className="alerts" data-testid="events">
              {list.map((e) => (
                <EventItem key={e.id} s={s} ctx={ctx} e={e} mayAck={mayAck} onAcked={reloadEvents} />
              ))}
            </ul>
          )
        }
      </ResourceState>

      {/* the alert rules' dry run is a PUT that needs configure; the control rules' dry run only read */}
      <RuleEditor ctx={ctx} spec={alertRules} mayEdit={mayEdit} mayTry={false} />
      <RuleEditor ctx={ctx} spec={controlRules} mayEdit={mayEdit} mayTry />
    </section>
  );
}

function AckButton({ label, path, ctx, onAcked }: { label: string; path: string; ctx: SitePageContext; onAcked: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const s = ALERTS[ctx.lang];
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        disabled={busy}
        aria-label={label}
        onClick={async () => {
          setBusy(true);
          try {
            await authed('POST', sitePath(ctx.site.id, path), {});
            await onAcked();
          } catch (e) {
            setErr(ctx.failed(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? ctx.c.sending : s.ack}
      </button>
      <span aria-live="assertive" className="error">
        {err}
      </span>
    </>
  );
}

function AlertItem({
  s,
  ctx,
  a,
  mayAck,
  onAcked,
}: {
  s: AlertsStrings;
  ctx: SitePageContext;
  a: AlertView;
  mayAck: boolean;
  onAcked: () => Promise<void>;
}) {
  const tz = ctx.site.timeZone;
  const lang = ctx.lang;
  return (
    <li className={`alert alert-${a.severity}`} data-alert={a.id} data-state={a.state}>
      <span className={`badge sev-${a.severity}`}>{s.severities[a.severity] ?? a.severity}</span>{' '}
      <span className="badge badge-disabled">{s.states[a.state] ?? a.state}</span> <strong>{a.message || a.ruleId}</strong>
      <span className="muted small block">
        {s.fired(formatTime(a.firedAtMs, tz, lang))}
        {a.repeatCount > 0 && ` · ${s.repeats(a.repeatCount)}`}
        {a.acknowledgedAtMs !== null && ` · ${s.acked(a.acknowledgedBy ?? '?', formatTime(a.acknowledgedAtMs, tz, lang))}`}
        {a.resolvedAtMs !== null && ` · ${s.resolved(formatTime(a.resolvedAtMs, tz, lang))}`}
      </span>
      {mayAck && a.state === 'firing' && (
        <AckButton
          label={`${s.ack}: ${a.message || a.ruleId}`}
          path={`/alerts/${encodeURIComponent(a.id)}/ack`}
          ctx={ctx}
          onAcked={onAcked}
        />
      )}
    </li>
  );
}

function EventItem({
  s,
  ctx,
  e,
  mayAck,
  onAcked,
}: {
  s: AlertsStrings;
  ctx: SitePageContext;
  e: EventView;
  mayAck: boolean;
  onAcked: () => Promise<void>;
}) {
  const tz = ctx.site.timeZone;
  return (
    <li className={`alert alert-${e.severity}`} data-event={e.id}>
      <span className={`badge sev-${e.severity}`}>{s.severities[e.severity] ?? e.severity}</span> <code className="small">{e.kind}</code>{' '}
      {e.message}
      <span className="muted small block">
        {formatTime(e.startMs, tz, ctx.lang)} – {formatTime(e.endMs, tz, ctx.lang)}
        {e.acknowledgedAtMs !== null && ` · ${s.acked(e.acknowledgedBy ?? '?', formatTime(e.acknowledgedAtMs, tz, ctx.lang))}`}
      </span>
      {mayAck && e.acknowledgedAtMs === null && (
        <AckButton label={`${s.ack}: ${e.message}`} path={`/events/${e.id}/ack`} ctx={ctx} onAcked={onAcked} />
      )}
    </li>
  );
}
