/** What the control layer does with the site's assets: agent modes and the latest commands. */
import { useCallback } from 'react';
import { authed, isNotAvailable, sitePath } from '../../api';
import { formatAge, formatPower } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parseCommands, parseControl, parseSignals } from './controlModel';
import { DEVICES } from './strings';

const SHOWN = 15;

export function ControlPanel({ ctx }: { ctx: SitePageContext }) {
  const { site, lang, c, failed } = ctx;
  const s = DEVICES[lang];
  const load = useCallback(async () => {
    const state = parseControl(await authed('GET', sitePath(site.id, '/control/agents')));
    const commands = parseCommands(await authed('GET', sitePath(site.id, `/control/commands?limit=${SHOWN}`)));
    let signals: ReturnType<typeof parseSignals> | null = null;
    try {
      signals = parseSignals(await authed('GET', sitePath(site.id, '/grid-signals')), Date.now());
    } catch (err) {
      if (!isNotAvailable(err)) throw err; // no grid-signal interface in this service: the list is left out
    }
    return { state, commands, signals };
  }, [site.id]);
  const [res] = useResource(`control:${site.id}`, load, failed, 5000);

  return (
    <>
      <h3>{s.controlHeading}</h3>
      <ResourceState c={c} res={res} what={s.controlFeature}>
        {({ state, commands, signals }) => (
          <>
            {signals && (
              <div data-testid="grid-signals">
                <h4>{s.signalsHeading}</h4>
                {signals.active.length === 0 ? (
                  <p className="muted small">{s.noSignals}</p>
                ) : (
                  <ul className="plain">
                    {signals.active.map((g) => (
                      <li key={g.id}>
                        <strong>{s.signalKinds[g.kind] ?? g.kind}</strong>:{' '}
                        {g.limits.map((l) => `${s.signalLimits[l.field] ?? l.field} ${formatPower(l.w, lang)}`).join(', ')} ·{' '}
                        {formatTime(g.fromMs, site.timeZone, lang, false)} – {formatTime(g.toMs, site.timeZone, lang, false)}
                        {g.reference && <span className="muted small"> ({g.reference})</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            {state && (
              <p className="small">
                {state.running ? s.controlRunning : s.controlStopped}
                {state.overdue && <span className="badge badge-down"> {s.overdue}</span>}
                {state.lastTickAtMs !== null && ` · ${s.lastTick(formatTime(state.lastTickAtMs, site.timeZone, lang))}`}
                {state.peakLineW !== null && ` · ${s.peakLine(formatPower(state.peakLineW, lang))}`}
              </p>
            )}
            {state && state.agents.length > 0 && (
              <div className="table-wrap">
                <table className="table" data-testid="agents">
                  <thead>
                    <tr>
                      <th scope="col">{s.asset}</th>
                      <th scope="col">{s.colMode}</th>
                      <th scope="col">{s.colLastWritten}</th>
                      <th scope="col">{s.colMeasurementAge}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.agents.map((a) => (
                      <tr key={a.assetId}>
                        <th scope="row">
                          {a.assetId} <span className="muted small">({a.kind})</span>
                        </th>
                        <td>
                          <span
                            className={`badge ${a.mode === 'stopped' ? 'badge-down' : a.mode === 'auto' ? 'badge-up' : 'badge-disabled'}`}
                          >
                            {s.modes[a.mode] ?? a.mode}
                          </span>
                          {a.reason && <span className="muted small block">{a.reason}</span>}
                        </td>
                        <td>
                          {a.lastWrittenW === null ? c.none : formatPower(a.lastWrittenW, lang)}
                          {a.lastError && <span className="error small block">{a.lastError}</span>}
                        </td>
                        <td>{a.measurementAgeMs === null ? c.none : formatAge(a.measurementAgeMs / 1000)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <details>
              <summary>{s.commandsHeading(commands.length)}</summary>
              <div className="table-wrap">
                <table className="table small" data-testid="commands">
                  <thead>
                    <tr>
                      <th scope="col">{s.colTime}</th>
                      <th scope="col">{s.asset}</th>
                      <th scope="col">{s.colSource}</th>
                      <th scope="col">{s.colRequestedWritten}</th>
                      <th scope="col">{s.colResult}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {commands.map((cmd) => (
                      <tr key={cmd.id}>
                        <td>{formatTime(cmd.atMs, site.timeZone, lang)}</td>
                        <td>{cmd.assetId}</td>
                        <td>
                          {cmd.source}
                          {cmd.userName && ` (${cmd.userName})`}
                        </td>
                        <td className="num">
                          {formatPower(cmd.requestedW, lang)} → {formatPower(cmd.writtenW, lang)}
                          {cmd.clampedBy.length > 0 && <span className="muted small block">{s.clamped(cmd.clampedBy.join(', '))}</span>}
                        </td>
                        <td>
                          {cmd.result}
                          {cmd.error && <span className="error small block">{cmd.error}</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </ResourceState>
    </>
  );
}
