/** The audit log, newest first, with action/actor filters and paging to older entries. */
import { useCallback, useId, useState, type FormEvent } from 'react';
import { authed } from '../../api';
import type { PageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { auditChange, parseAudit, type AuditEntry } from './model';
import type { AdminStrings } from './strings';

const PAGE = 50;

function auditPath(filter: { action: string; actor: string }, beforeId?: number): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (filter.action) q.set('action', filter.action);
  if (filter.actor) q.set('actor', filter.actor);
  if (beforeId !== undefined) q.set('beforeId', String(beforeId));
  return `/audit?${q.toString()}`;
}

export function Audit({ ctx, s }: { ctx: PageContext; s: AdminStrings }) {
  const { c, failed, lang } = ctx;
  const id = useId();
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const [filter, setFilter] = useState({ action: '', actor: '' });
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const load = useCallback(async () => parseAudit(await authed('GET', auditPath(filter))), [filter]);
  const [res] = useResource(`audit:${filter.action}:${filter.actor}`, load, failed);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOlder([]);
    setFilter({ action: action.trim(), actor: actor.trim() });
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{s.auditHeading}</h3>
      <form className="form-row" onSubmit={submit}>
        <label htmlFor={`${id}-a`}>{s.action}</label>
        <input id={`${id}-a`} value={action} onChange={(e) => setAction(e.target.value)} size={14} />
        <label htmlFor={`${id}-u`}>{s.actor}</label>
        <input id={`${id}-u`} value={actor} onChange={(e) => setActor(e.target.value)} size={12} />
        <button type="submit" className="btn btn-small">
          {s.filter}
        </button>
      </form>
      <ResourceState c={c} res={res} what={s.auditHeading}>
        {(first) => {
          const entries = [...first, ...older];
          const last = entries[entries.length - 1];
          return entries.length === 0 ? (
            <p className="muted small">{s.noEntries}</p>
          ) : (
            <>
              <div className="table-wrap">
                <table className="table small" data-testid="audit">
                  <thead>
                    <tr>
                      <th scope="col">{s.colTime}</th>
                      <th scope="col">{s.colActor}</th>
                      <th scope="col">{s.colAction}</th>
                      <th scope="col">{s.colTarget}</th>
                      <th scope="col">{s.colChange}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((e) => (
                      <tr key={e.id}>
                        <td>{formatTime(Date.parse(e.at), 'UTC', lang)}</td>
                        <td>{e.actorName ?? e.actorType}</td>
                        <td>
                          <code>{e.action}</code>
                        </td>
                        <td>{[e.siteId, e.target].filter(Boolean).join(' / ')}</td>
                        <td className="wrap">{auditChange(e.before, e.after)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {first.length === PAGE && last && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={async () => {
                    try {
                      const more = parseAudit(await authed('GET', auditPath(filter, last.id)));
                      setOlder((prev) => [...prev, ...more]);
                    } catch (err) {
                      failed(err);
                    }
                  }}
                >
                  {s.older}
                </button>
              )}
            </>
          );
        }}
      </ResourceState>
    </section>
  );
}
