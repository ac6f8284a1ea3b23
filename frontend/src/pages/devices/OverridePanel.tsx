/**
 * Manual override with expiry: PUT /sites/:id/overrides/:assetId when the service has overrides,
 * else (older service) a direct device setpoint with its revert timeout as the expiry.
 */
import { useCallback, useId, useState, type FormEvent } from 'react';
import { authed, sitePath } from '../../api';
import { formatPower } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { assetsFromEnergy, checkOverride, parseModelSetpoints, parseOverrides, type AssetOption, type DeviceView } from './model';
import { DEVICES, type DevicesStrings } from './strings';

export function OverridePanel({ ctx, devices }: { ctx: SitePageContext; devices: DeviceView[] }) {
  const { site, lang, c, failed } = ctx;
  const s = DEVICES[lang];
  const load = useCallback(async () => {
    const overrides = parseOverrides(await authed('GET', sitePath(site.id, '/overrides')));
    let assets: AssetOption[] = [];
    try {
      assets = assetsFromEnergy(await authed('GET', sitePath(site.id, '/energy')));
    } catch {
      assets = []; // no energy configuration: nothing to override (said below)
    }
    return { overrides, assets };
  }, [site.id]);
  const [res, reload] = useResource(`overrides:${site.id}`, load, failed, 5000);

  if (res.kind === 'unavailable') return <SetpointForm ctx={ctx} s={s} devices={devices} />;
  return (
    <ResourceState c={c} res={res} what={s.overridesFeature}>
      {({ overrides, assets }) => (
        <>
          <p className="muted small">{s.overrideIntro}</p>
          {assets.length === 0 ? <p className="muted">{s.noAssets}</p> : <OverrideForm ctx={ctx} s={s} assets={assets} onDone={reload} />}
          <h4>{s.activeHeading}</h4>
          {overrides.active.length === 0 ? (
            <p className="muted small" data-testid="no-active-override">
              {s.noActive}
            </p>
          ) : (
            <ul className="plain" data-testid="active-overrides">
              {overrides.active.map((o) => (
                <li key={o.assetId}>
                  <strong>{o.assetId}</strong>:{' '}
                  {s.overrideLine(formatPower(o.setpointW, lang), formatTime(o.expiresAtMs, site.timeZone, lang), o.userName ?? c.none)}
                  {o.reason && <span className="muted small"> — {o.reason}</span>}{' '}
                  <ReleaseButton ctx={ctx} s={s} assetId={o.assetId} onDone={reload} />
                </li>
              ))}
            </ul>
          )}
          {overrides.recent.length > 0 && (
            <details>
              <summary>{s.historyHeading}</summary>
              <ul className="plain small">
                {overrides.recent.map((o) => (
                  <li key={`${o.assetId}-${o.createdAtMs}`}>
                    {o.assetId}:{' '}
                    {s.overrideLine(formatPower(o.setpointW, lang), formatTime(o.expiresAtMs, site.timeZone, lang), o.userName ?? c.none)}
                    {o.releasedAtMs !== null && ` · ${s.releasedAt(formatTime(o.releasedAtMs, site.timeZone, lang))}`}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </ResourceState>
  );
}

function ReleaseButton({
  ctx,
  s,
  assetId,
  onDone,
}: {
  ctx: SitePageContext;
  s: DevicesStrings;
  assetId: string;
  onDone: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const release = async () => {
    setBusy(true);
    try {
      await authed('DELETE', sitePath(ctx.site.id, `/overrides/${encodeURIComponent(assetId)}`));
      setMsg(s.released(assetId));
      await onDone();
    } catch (err) {
      setMsg(ctx.failed(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => void release()}
        disabled={busy}
        aria-label={`${s.release}: ${assetId}`}
      >
        {s.release}
      </button>
      <span aria-live="polite">{msg}</span>
    </>
  );
}

function OverrideForm({
  ctx,
  s,
  assets,
  onDone,
}: {
  ctx: SitePageContext;
  s: DevicesStrings;
  assets: AssetOption[];
  onDone: () => Promise<void>;
}) {
  const { site, lang, c, failed } = ctx;
  const id = useId();
  const [assetId, setAssetId] = useState(assets[0]?.id ?? '');
  const [value, setValue] = useState('');
  const [expiry, setExpiry] = useState('15');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const asset = assets.find((a) => a.id === assetId) ?? assets[0]!;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = checkOverride(value, expiry, asset);
    if (problem) return setMsg({ ok: false, text: problem === 'value' ? s.errValue : problem === 'range' ? s.errRange : s.errExpiry });
    setBusy(true);
    try {
      const body = (await authed('PUT', sitePath(site.id, `/overrides/${encodeURIComponent(asset.id)}`), {
        setpointW: Number(value.replace(',', '.')),
        expiresInS: Number(expiry) * 60,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      })) as { expiresAtMs?: number };
      setMsg({
        ok: true,
        text: s.overrideSet(asset.id, formatTime(body.expiresAtMs ?? Date.now() + Number(expiry) * 60_000, site.timeZone, lang)),
      });
      await onDone();
    } catch (err) {
      const m = failed(err);
      if (m !== null) setMsg({ ok: false, text: m });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label={s.overrideHeading}>
      <div className="field">
        <label htmlFor={`${id}-asset`}>{s.asset}</label>
        <select id={`${id}-asset`} value={asset.id} onChange={(e) => setAssetId(e.target.value)}>
          {assets.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id} ({a.kind})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-value`}>{s.setpointW(String(asset.minW), String(asset.maxW))}</label>
        <input
          id={`${id}-value`}
          inputMode="decimal"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <p id={`${id}-hint`} className="hint muted small">
          {s.setpointHint}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-expiry`}>{s.expiryMin}</label>
        <input id={`${id}-expiry`} inputMode="numeric" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{s.reason}</label>
        <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? c.sending : s.setOverride}
        </button>
      </div>
      <div aria-live="assertive">{msg && <p className={msg.ok ? 'info' : 'error'}>{msg.text}</p>}</div>
    </form>
  );
}

/** Fallback for a service without overrides: a device setpoint with a revert timeout. */
function SetpointForm({ ctx, s, devices }: { ctx: SitePageContext; s: DevicesStrings; devices: DeviceView[] }) {
  const { site, c, failed } = ctx;
  const id = useId();
  const loadModels = useCallback(async () => parseModelSetpoints(await authed('GET', '/device-models')), []);
  const [models] = useResource('device-models', loadModels, failed);
  const [deviceId, setDeviceId] = useState('');
  const [setpoint, setSetpoint] = useState('');
  const [value, setValue] = useState('');
  const [expiry, setExpiry] = useState('1');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const options = models.kind === 'ok' ? devices.flatMap((d) => (models.data.get(d.model) ?? []).map((sp) => ({ d, sp }))) : [];
  if (models.kind === 'ok' && options.length === 0) return <p className="muted">{s.noSetpoints}</p>;
  const chosen = options.find((o) => o.d.id === deviceId && o.sp.name === setpoint) ?? options[0];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    const problem = checkOverride(value, expiry, { minW: chosen.sp.min, maxW: chosen.sp.max });
    if (problem) return setMsg({ ok: false, text: problem === 'value' ? s.errValue : problem === 'range' ? s.errRange : s.errExpiry });
    setBusy(true);
    try {
      const timeoutS = Math.min(Number(expiry) * 60, chosen.sp.maxRevertTimeoutS);
      await authed(
        'POST',
        sitePath(site.id, `/devices/${encodeURIComponent(chosen.d.id)}/setpoints/${encodeURIComponent(chosen.sp.name)}`),
        {
          value: Number(value.replace(',', '.')),
          revertTimeoutS: timeoutS,
        },
      );
      setMsg({ ok: true, text: s.written(chosen.d.name, chosen.sp.name, timeoutS) });
    } catch (err) {
      const m = failed(err);
      if (m !== null) setMsg({ ok: false, text: m });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h4>{s.setpointHeading}</h4>
      <p className="muted small">{s.setpointIntro}</p>
      <ResourceState c={c} res={models} what={s.setpointHeading}>
        {() =>
          chosen ? (
            <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label={s.setpointHeading}>
              <div className="field">
                <label htmlFor={`${id}-sp`}>{s.setpoint}</label>
                <select
                  id={`${id}-sp`}
                  value={`${chosen.d.id}/${chosen.sp.name}`}
                  onChange={(e) => {
                    const [d, sp] = e.target.value.split('/');
                    setDeviceId(d ?? '');
                    setSetpoint(sp ?? '');
                  }}
                >
                  {options.map((o) => (
                    <option key={`${o.d.id}/${o.sp.name}`} value={`${o.d.id}/${o.sp.name}`}>
                      {o.d.name}: {o.sp.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${id}-v`}>{s.value(chosen.sp.unit, String(chosen.sp.min), String(chosen.sp.max))}</label>
                <input id={`${id}-v`} inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-e`}>{s.expiryMin}</label>
                <input id={`${id}-e`} inputMode="numeric" value={expiry} onChange={(e) => setExpiry(e.target.value)} />
              </div>
              <div className="actions">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  {busy ? c.sending : s.write}
                </button>
              </div>
              <div aria-live="assertive">{msg && <p className={msg.ok ? 'info' : 'error'}>{msg.text}</p>}</div>
            </form>
          ) : null
        }
      </ResourceState>
    </>
  );
}
