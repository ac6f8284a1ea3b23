/** The sites the signed-in user may see, with role-aware start/stop of automation. */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { can, roleOnSite, type RoleGrant } from './access';
import { listSites, setAutomation, type Site } from './api';
import type { Strings } from './i18n';
import { useFailure } from './useFailure';

interface SitesProps {
  t: Strings;
  roles: readonly RoleGrant[];
  /** The service answered 401: the session is gone. */
  onSessionEnded: () => void;
  /** Opens the series view of a site. */
  onOpenSeries: (site: Site) => void;
  /** Opens the overview of a site. */
  onOpenOverview: (site: Site) => void;
}

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ok'; sites: Site[] };
type Result = { ok: boolean; text: string } | null;

export function Sites({ t, roles, onSessionEnded, onOpenSeries, onOpenOverview }: SitesProps) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [pending, setPending] = useState<{ siteId: string; enable: boolean } | null>(null);
  const [result, setResult] = useState<Result>(null);

  const failed = useFailure(onSessionEnded, t);

  const refresh = useCallback(async () => {
    setLoad((prev) => (prev.kind === 'ok' ? prev : { kind: 'loading' }));
    try {
      setLoad({ kind: 'ok', sites: await listSites() });
    } catch (err) {
      const message = failed(err);
      if (message !== null) setLoad({ kind: 'error', message });
    }
  }, [failed]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const updated = (site: Site) =>
    setLoad((prev) => (prev.kind === 'ok' ? { kind: 'ok', sites: prev.sites.map((s) => (s.id === site.id ? site : s)) } : prev));

  return (
    <section className="card" aria-labelledby="sites-heading">
      <div className="card-head">
        <h2 id="sites-heading">{t.sitesHeading}</h2>
        <button type="button" className="btn btn-small" onClick={() => void refresh()}>
          {t.sitesRefresh}
        </button>
      </div>

      <div aria-live="polite" aria-atomic="true">
        {load.kind === 'loading' && <p className="summary">{t.sitesLoading}</p>}
        {load.kind === 'error' && <p className="error">{load.message}</p>}
        {result && <p className={result.ok ? 'info' : 'error'}>{result.text}</p>}
      </div>

      {load.kind === 'ok' && load.sites.length === 0 && <p className="muted">{t.sitesNone}</p>}
      {load.kind === 'ok' && load.sites.length > 0 && (
        <ul className="sites">
          {load.sites.map((site) => (
            <SiteItem
              key={site.id}
              t={t}
              site={site}
              roles={roles}
              onOpenSeries={() => onOpenSeries(site)}
              onOpenOverview={() => onOpenOverview(site)}
              confirming={pending?.siteId === site.id ? pending.enable : null}
              onAsk={(enable) => {
                setResult(null);
                setPending({ siteId: site.id, enable });
              }}
              onCancel={() => setPending(null)}
              onSend={async (enable, reason) => {
                try {
                  const next = await setAutomation(site.id, enable, reason);
                  updated(next);
                  setPending(null);
                  setResult({
                    ok: true,
                    text: next.automationEnabled ? t.automationStarted(next.name) : t.automationStopped(next.name),
                  });
                  return true;
                } catch (err) {
                  const message = failed(err);
                  if (message !== null) setResult({ ok: false, text: message });
                  return false;
                }
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface SiteItemProps {
  t: Strings;
  site: Site;
  roles: readonly RoleGrant[];
  onOpenSeries: () => void;
  onOpenOverview: () => void;
  /** null: no confirmation open; otherwise the state being asked for. */
  confirming: boolean | null;
  onAsk: (enable: boolean) => void;
  onCancel: () => void;
  onSend: (enable: boolean, reason: string) => Promise<boolean>;
}

function SiteItem({ t, site, roles, onOpenSeries, onOpenOverview, confirming, onAsk, onCancel, onSend }: SiteItemProps) {
  const role = roleOnSite(roles, site.id);
  const mayOperate = can(roles, 'operate', site.id);
  const headingId = `site-${site.id}-name`;
  const toggleRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  useEffect(() => {
    // Back to the button when the confirmation closes, so keyboard users do not lose their place.
    if (wasConfirming.current && confirming === null) toggleRef.current?.focus();
    wasConfirming.current = confirming !== null;
  }, [confirming]);

  return (
    <li className="site" aria-labelledby={headingId}>
      <h3 id={headingId}>{site.name}</h3>
      <dl className="facts">
        <div>
          <dt>{t.siteId}</dt>
          <dd>
            <code>{site.id}</code>
          </dd>
        </div>
        <div>
          <dt>{t.siteTimeZone}</dt>
          <dd>{site.timeZone || '–'}</dd>
        </div>
        <div>
          <dt>{t.siteAutomation}</dt>
          <dd>
            <span className={`badge ${site.automationEnabled ? 'badge-up' : 'badge-disabled'}`}>
              {site.automationEnabled ? t.automationOn : t.automationOff}
            </span>
          </dd>
        </div>
        {role && (
          <div>
            <dt>{t.siteYourRole}</dt>
            <dd>{t.roleNames[role]}</dd>
          </div>
        )}
      </dl>

      <p className="site-open">
        <button type="button" className="btn btn-primary" onClick={onOpenOverview}>
          {t.openOverview}
        </button>{' '}
        <button type="button" className="btn" onClick={onOpenSeries}>
          {t.openSeries}
        </button>
      </p>

      {mayOperate ? (
        confirming === null ? (
          <button ref={toggleRef} type="button" className="btn" onClick={() => onAsk(!site.automationEnabled)}>
            {site.automationEnabled ? t.stopAutomation : t.startAutomation}
          </button>
        ) : (
          <ConfirmAutomation t={t} site={site} enable={confirming} onCancel={onCancel} onSend={onSend} />
        )
      ) : (
        <p className="muted small">{t.readOnlyHint}</p>
      )}
    </li>
  );
}

interface ConfirmProps {
  t: Strings;
  site: Site;
  enable: boolean;
  onCancel: () => void;
  onSend: (enable: boolean, reason: string) => Promise<boolean>;
}

function ConfirmAutomation({ t, site, enable, onCancel, onSend }: ConfirmProps) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLInputElement>(null);
  const questionId = `confirm-${site.id}-q`;

  useEffect(() => {
    reasonRef.current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const ok = await onSend(enable, reason);
    if (!ok) setBusy(false);
  };

  return (
    <form
      className="confirm"
      aria-labelledby={questionId}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) onCancel();
      }}
    >
      <p id={questionId} className="confirm-question">
        {enable ? t.confirmStart(site.name) : t.confirmStop(site.name)}
      </p>
      <p className="muted small">{t.confirmHint}</p>
      <div className="field">
        <label htmlFor={`reason-${site.id}`}>{t.reasonLabel}</label>
        <input ref={reasonRef} id={`reason-${site.id}`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </div>
      <div className="actions">
        <button type="submit" className={`btn ${enable ? 'btn-primary' : 'btn-danger'}`} disabled={busy} aria-busy={busy}>
          {busy ? t.sending : enable ? t.startAutomation : t.stopAutomation}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel} disabled={busy}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
