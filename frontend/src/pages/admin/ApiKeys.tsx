/** API keys: list, create (secret shown once), revoke. */
import { useCallback, useId, useState, type FormEvent } from 'react';
import { authed } from '../../api';
import type { PageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parseApiKey, parseApiKeys } from './model';
import type { AdminStrings } from './strings';

export function ApiKeys({ ctx, s }: { ctx: PageContext; s: AdminStrings }) {
  const { c, failed, lang } = ctx;
  const id = useId();
  const load = useCallback(async () => parseApiKeys(await authed('GET', '/api-keys')), []);
  const [res, reload] = useResource('api-keys', load, failed);
  const [name, setName] = useState('');
  const [siteId, setSiteId] = useState('');
  const [read, setRead] = useState(true);
  const [ingest, setIngest] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const scopes = [...(read ? ['read'] : []), ...(ingest ? ['ingest'] : [])];
      const body = (await authed('POST', '/api-keys', { name: name.trim(), siteId: siteId.trim(), scopes })) as {
        key?: unknown;
        secret?: string;
      };
      const key = parseApiKey(body?.key);
      setSecret({ name: key?.name ?? name, secret: body?.secret ?? '' });
      setName('');
      await reload();
    } catch (err) {
      setError(failed(err));
    }
  };

  const revoke = async (keyId: string) => {
    setError(null);
    try {
      await authed('DELETE', `/api-keys/${keyId}`);
      await reload();
    } catch (err) {
      setError(failed(err));
    }
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{s.keysHeading}</h3>
      <p className="muted small">{s.keysIntro}</p>
      <ResourceState c={c} res={res} what={s.keysHeading}>
        {(keys) =>
          keys.length === 0 ? (
            <p className="muted small">{s.noKeys}</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{s.colKey}</th>
                    <th scope="col">{s.colSite}</th>
                    <th scope="col">{s.colScopes}</th>
                    <th scope="col">{s.colLastUsed}</th>
                    <th scope="col" />
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k) => (
                    <tr key={k.id}>
                      <th scope="row">
                        {k.name} <code className="small">{k.prefix}…</code>
                      </th>
                      <td>{k.siteId}</td>
                      <td>{k.scopes.join(', ')}</td>
                      <td>{k.lastUsedAt ? formatTime(Date.parse(k.lastUsedAt), 'UTC', lang) : s.never}</td>
                      <td>
                        {k.revokedAt ? (
                          <span className="badge badge-disabled">{s.revoked}</span>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            onClick={() => void revoke(k.id)}
                            aria-label={`${s.revoke}: ${k.name}`}
                          >
                            {s.revoke}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </ResourceState>
      <form className="form-grid" onSubmit={(e) => void create(e)}>
        <div className="field">
          <label htmlFor={`${id}-n`}>{s.keyName}</label>
          <input id={`${id}-n`} value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-s`}>{s.colSite}</label>
          <input id={`${id}-s`} value={siteId} onChange={(e) => setSiteId(e.target.value)} required />
        </div>
        <fieldset className="field">
          <legend>{s.colScopes}</legend>
          <label>
            <input type="checkbox" checked={read} onChange={(e) => setRead(e.target.checked)} /> {s.scopeRead}
          </label>{' '}
          <label>
            <input type="checkbox" checked={ingest} onChange={(e) => setIngest(e.target.checked)} /> {s.scopeIngest}
          </label>
        </fieldset>
        <div className="actions">
          <button type="submit" className="btn btn-primary">
            {s.createKey}
          </button>
        </div>
      </form>
      <div aria-live="assertive">
        {error && <p className="error">{error}</p>}
        {secret && (
          <p className="info">
            {s.secretOnce(secret.name)} <code data-testid="api-key-secret">{secret.secret}</code>
          </p>
        )}
      </div>
    </section>
  );
}
