/**
 * A JSON editor for a rule set: local JSON check with line and column, the service's validation
 * (its errors name the field), a dry run on history where the service has one, and save.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, authed, sitePath } from '../../api';
import type { SitePageContext } from '../context';
import { formatNumber } from '../../series/units';
import { formatEur } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { jsonProblem, validationErrors } from './model';
import { ALERTS, type AlertsStrings } from './strings';

export interface RuleEditorSpec {
  heading: string;
  intro: string;
  feature: string;
  /** e.g. /rules or /alert-rules */
  path: string;
  /** the service's check without saving; without one, only the JSON is checked (the service checks on save) */
  validate?: { method: 'POST' | 'PUT'; path: string };
  /** what the rules would do, without saving */
  dryRun?: { method: 'POST' | 'PUT'; path: string; extra?: () => Record<string, unknown> };
  /** the text to edit from the GET answer */
  toText: (body: unknown) => string;
  /** the PUT/validate body from the edited value */
  toBody: (value: unknown) => unknown;
  builtIn?: (body: unknown) => boolean;
}

type Msg = { ok: boolean; lines: string[] } | null;

/** mayEdit: validate and save (configure); mayTry: the dry run, which changes nothing (read). */
export function RuleEditor({
  ctx,
  spec,
  mayEdit,
  mayTry,
}: {
  ctx: SitePageContext;
  spec: RuleEditorSpec;
  mayEdit: boolean;
  mayTry: boolean;
}) {
  const { site, lang, c, failed } = ctx;
  const s = ALERTS[lang];
  const id = useId();
  const load = useCallback(async () => authed('GET', sitePath(site.id, spec.path)), [site.id, spec.path]);
  const [res, reload] = useResource(`rules:${site.id}:${spec.path}`, load, failed);
  const [text, setText] = useState('');
  const [msg, setMsg] = useState<Msg>(null);
  const [dry, setDry] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const original = res.kind === 'ok' ? spec.toText(res.data) : '';
  useEffect(() => setText(original), [original]);

  const parsed = (): unknown => {
    const p = jsonProblem(text);
    if (p) {
      setMsg({ ok: false, lines: [s.jsonError(p.line, p.column, p.message)] });
      return undefined;
    }
    return JSON.parse(text) as unknown;
  };

  const send = async (kind: 'validate' | 'dry' | 'save') => {
    const value = parsed();
    if (value === undefined) return;
    setBusy(true);
    setMsg(null);
    try {
      if (kind === 'validate' && spec.validate) {
        const body = await authed(spec.validate.method, sitePath(site.id, spec.validate.path), spec.toBody(value));
        const errors = validationErrors(body);
        setMsg(errors.length ? { ok: false, lines: [s.invalid(errors.length), ...errors] } : { ok: true, lines: [s.valid] });
      } else if (kind === 'validate') {
        setMsg({ ok: true, lines: [s.valid] }); // JSON only: the service checks the rules on save
      } else if (kind === 'dry' && spec.dryRun) {
        const base = spec.toBody(value);
        const extra = spec.dryRun.extra?.() ?? {};
        setDry(await authed(spec.dryRun.method, sitePath(site.id, spec.dryRun.path), isRecord(base) ? { ...base, ...extra } : base));
      } else if (kind === 'save') {
        await authed('PUT', sitePath(site.id, spec.path), spec.toBody(value));
        setMsg({ ok: true, lines: [s.savedAt] });
        await reload();
      }
    } catch (err) {
      const lines = err instanceof ApiError ? [err.message] : [failed(err) ?? ''];
      setMsg({ ok: false, lines: lines.filter(Boolean) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rule-editor">
      <h3>{spec.heading}</h3>
      <p className="muted small">{spec.intro}</p>
      <ResourceState c={c} res={res} what={spec.feature}>
        {(body) => (
          <>
            {spec.builtIn?.(body) && <p className="muted small">{s.builtIn}</p>}
            <div className="field">
              <label htmlFor={`${id}-json`}>{s.editorLabel(spec.heading)}</label>
              <textarea
                id={`${id}-json`}
                className="code"
                rows={Math.min(24, Math.max(6, text.split('\n').length + 1))}
                value={text}
                readOnly={!mayEdit && !mayTry}
                spellCheck={false}
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <div className="actions">
              {mayEdit && (
                <button type="button" className="btn" disabled={busy} onClick={() => void send('validate')}>
                  {s.validate}
                </button>
              )}
              {spec.dryRun && (mayTry || mayEdit) && (
                <button type="button" className="btn" disabled={busy} onClick={() => void send('dry')}>
                  {s.dryRun}
                </button>
              )}
              {mayEdit && (
                <>
                  <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send('save')}>
                    {busy ? c.sending : s.save}
                  </button>
                  <button type="button" className="btn btn-quiet" disabled={busy || text === original} onClick={() => setText(original)}>
                    {s.reset}
                  </button>
                </>
              )}
            </div>
            {!mayEdit && <p className="muted small">{s.readOnly}</p>}
            <div aria-live="assertive">
              {msg && (
                <ul className={`plain ${msg.ok ? 'info' : 'error'}`}>
                  {msg.lines.map((l, i) => (
                    <li key={i}>{l}</li>
                  ))}
                </ul>
              )}
            </div>
            {dry !== null && <DryRunResult s={s} ctx={ctx} body={dry} />}
          </>
        )}
      </ResourceState>
    </div>
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function DryRunResult({ s, ctx, body }: { s: AlertsStrings; ctx: SitePageContext; body: unknown }) {
  const b = isRecord(body) ? body : {};
  const side = (v: unknown) => (isRecord(v) ? v : {});
  const w = side(b.withoutRules);
  const r = side(b.withRules);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const effects = Array.isArray(b.effects) ? b.effects.filter(isRecord) : Array.isArray(b.rules) ? b.rules.filter(isRecord) : [];
  const hasFigures = num(w.totalEur) !== null || num(r.totalEur) !== null;
  if (Array.isArray(b.wouldFire)) {
    const fire = b.wouldFire.filter(isRecord);
    return (
      <section aria-label={s.dryRunHeading} className="dry-run" data-testid="dry-run">
        <h4>{s.dryRunHeading}</h4>
        {fire.length === 0 ? (
          <p className="small">{s.wouldFireNone}</p>
        ) : (
          <>
            <p className="small">{s.wouldFire(fire.length)}</p>
            <ul className="plain small">
              {fire.map((f, i) => (
                <li key={i}>
                  <code>{String(f.ruleId ?? '')}</code> {String(f.message ?? f.subject ?? '')}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    );
  }
  return (
    <section aria-label={s.dryRunHeading} className="dry-run" data-testid="dry-run">
      <h4>{s.dryRunHeading}</h4>
      {typeof b.steps === 'number' && <p className="small">{s.steps(b.steps)}</p>}
      {hasFigures ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">{s.cost}</th>
              <th scope="col">{s.peak}</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                [s.withoutRules, w],
                [s.withRules, r],
              ] as const
            ).map(([label, v]) => {
              const eur = num(v.totalEur);
              const kw = num(v.peakKw);
              return (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td className="num">{eur !== null ? formatEur(eur, ctx.lang) : '–'}</td>
                  <td className="num">{kw !== null ? `${formatNumber(kw, 1, ctx.lang)} kW` : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <pre className="code small">{JSON.stringify(body, null, 2).slice(0, 4000)}</pre>
      )}
      {effects.length > 0 && (
        <ul className="plain small">
          {effects.map((e, i) => (
            <li key={i}>{s.ruleEffect(String(e.ruleId ?? e.id ?? i), typeof e.stepsChanged === 'number' ? e.stepsChanged : 0)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
