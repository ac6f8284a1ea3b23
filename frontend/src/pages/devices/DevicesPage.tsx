/** Devices: state, last data and errors; manual override with expiry (operator and up). */
import { useCallback } from 'react';
import { can } from '../../access';
import { authed, sitePath } from '../../api';
import { formatAge } from '../../series/units';
import type { SitePageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parseDevices, type DeviceView } from './model';
import { ControlPanel } from './ControlPanel';
import { OverridePanel } from './OverridePanel';
import { DEVICES, type DevicesStrings } from './strings';

export function DevicesPage(ctx: SitePageContext) {
  const { site, lang, c, failed, roles } = ctx;
  const s = DEVICES[lang];
  const load = useCallback(async () => parseDevices(await authed('GET', sitePath(site.id, '/devices'))), [site.id]);
  const [res] = useResource(`devices:${site.id}`, load, failed, 5000);
  const mayOperate = can(roles, 'operate', site.id);

  return (
    <section className="card" aria-labelledby="devices-heading">
      <div className="card-head">
        <h2 id="devices-heading">{s.heading(site.name)}</h2>
      </div>
      <ResourceState c={c} res={res} what={s.devicesFeature}>
        {(devices) => (devices.length === 0 ? <p className="muted">{s.none}</p> : <DeviceTable s={s} ctx={ctx} devices={devices} />)}
      </ResourceState>
      <ControlPanel ctx={ctx} />
      <h3>{s.overrideHeading}</h3>
      {mayOperate ? (
        <OverridePanel ctx={ctx} devices={res.kind === 'ok' ? res.data : []} />
      ) : (
        <p className="muted small">{c.viewOnly(ctx.t.roleNames.operator)}</p>
      )}
    </section>
  );
}

function DeviceTable({ s, ctx, devices }: { s: DevicesStrings; ctx: SitePageContext; devices: DeviceView[] }) {
  const now = Date.now();
  const { site, lang } = ctx;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{s.colDevice}</th>
            <th scope="col">{s.colModel}</th>
            <th scope="col">{s.colState}</th>
            <th scope="col">{s.colLastData}</th>
            <th scope="col">{s.colErrors}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.id} data-device={d.id}>
              <th scope="row">
                {d.name} <code className="small">{d.id}</code>
              </th>
              <td>
                {d.model} <span className="muted small">({d.protocol})</span>
              </td>
              <td>
                <span className={`badge ${d.state === 'online' ? 'badge-up' : d.state === 'stopped' ? 'badge-disabled' : 'badge-down'}`}>
                  {s.states[d.state] ?? d.state}
                </span>
              </td>
              <td>{d.lastValueMs === null ? s.never : s.ago(formatAge((now - d.lastValueMs) / 1000))}</td>
              <td>
                {d.errors.length === 0 ? s.noErrors : d.errors.map((e) => `${e.kind}: ${e.count}`).join(', ')}
                {d.lastError && (
                  <p className="small error">
                    {s.lastError(d.lastError.kind, d.lastError.message, formatTime(d.lastError.atMs, site.timeZone, lang))}
                  </p>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
