/** Users: list, create, roles per site, disable/enable, end sessions. */
import { useCallback, useId, useState, type FormEvent } from 'react';
import { describeRoles, ROLES, type Role } from '../../access';
import { authed, parseUser, type User } from '../../api';
import type { PageContext } from '../context';
import { formatTime } from '../format';
import { useResource } from '../resource';
import { ResourceState } from '../ResourceState';
import { parseRoleChoice, withGrant } from './model';
import type { AdminStrings } from './strings';

export function Users({ ctx, s }: { ctx: PageContext; s: AdminStrings }) {
  const { c, failed, lang } = ctx;
  const load = useCallback(async () => {
    const body = await authed('GET', '/users');
    return Array.isArray(body) ? body.map(parseUser).filter((u): u is User => u !== null) : [];
  }, []);
  const [res, reload] = useResource('users', load, failed);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);

  const act = async (fn: () => Promise<string>) => {
    setMsg(null);
    try {
      setMsg({ ok: true, text: await fn() });
      await reload();
    } catch (err) {
      const m = failed(err);
      if (m !== null) setMsg({ ok: false, text: m });
    }
  };

  return (
    <section aria-labelledby="users-heading">
      <h3 id="users-heading">{s.usersHeading}</h3>
      <div aria-live="polite">{msg && <p className={msg.ok ? 'info' : 'error'}>{msg.text}</p>}</div>
      <ResourceState c={c} res={res} what={s.usersHeading}>
        {(users) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{s.colUser}</th>
                  <th scope="col">{s.colRoles}</th>
                  <th scope="col">{s.colLastLogin}</th>
                  <th scope="col">{s.colState}</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} data-user={u.username}>
                    <th scope="row">{u.username}</th>
                    <td>
                      {describeRoles(u.roles, lang)}
                      <RoleForm
                        s={s}
                        user={u}
                        onSave={(roles) =>
                          act(async () => (await authed('PUT', `/users/${u.id}/roles`, { roles }), s.rolesSaved(u.username)))
                        }
                      />
                    </td>
                    <td>{u.lastLoginAt ? formatTime(Date.parse(u.lastLoginAt), 'UTC', lang) : s.never}</td>
                    <td>
                      <span className={`badge ${u.disabled ? 'badge-down' : 'badge-up'}`}>{u.disabled ? s.disabled : s.enabled}</span>{' '}
                      {u.id !== ctx.user.id && (
                        <>
                          <button
                            type="button"
                            className="btn btn-small"
                            aria-label={`${u.disabled ? s.enable : s.disable}: ${u.username}`}
                            onClick={() =>
                              void act(
                                async () => (await authed('PATCH', `/users/${u.id}`, { disabled: !u.disabled }), s.rolesSaved(u.username)),
                              )
                            }
                          >
                            {u.disabled ? s.enable : s.disable}
                          </button>{' '}
                          <button
                            type="button"
                            className="btn btn-small"
                            aria-label={`${s.endSessions}: ${u.username}`}
                            onClick={() =>
                              void act(async () => {
                                const r = (await authed('POST', `/users/${u.id}/revoke-sessions`, {})) as { revoked?: number };
                                return s.sessionsEnded(r?.revoked ?? 0);
                              })
                            }
                          >
                            {s.endSessions}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ResourceState>
      <NewUser ctx={ctx} s={s} onCreated={(name) => act(async () => s.created(name))} />
    </section>
  );
}

function RoleForm({ s, user, onSave }: { s: AdminStrings; user: User; onSave: (roles: ReturnType<typeof withGrant>) => Promise<void> }) {
  const id = useId();
  const [siteId, setSiteId] = useState('*');
  const [role, setRole] = useState<string>('');
  return (
    <details className="inline-form">
      <summary>{s.editRoles}</summary>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (siteId.trim()) void onSave(withGrant(user.roles, siteId.trim(), parseRoleChoice(role)));
        }}
      >
        <label htmlFor={`${id}-s`}>{s.site}</label>
        <input id={`${id}-s`} value={siteId} onChange={(e) => setSiteId(e.target.value)} size={10} />
        <label htmlFor={`${id}-r`}>{s.role}</label>
        <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">{s.noRole}</option>
          {ROLES.map((r: Role) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" className="btn btn-small">
          {s.setRole}
        </button>
      </form>
    </details>
  );
}

function NewUser({ ctx, s, onCreated }: { ctx: PageContext; s: AdminStrings; onCreated: (name: string) => Promise<void> }) {
  const id = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [siteId, setSiteId] = useState('*');
  const [role, setRole] = useState<string>('viewer');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = parseRoleChoice(role);
      await authed('POST', '/users', { username: username.trim(), password, roles: r ? [{ siteId: siteId.trim() || '*', role: r }] : [] });
      const name = username.trim();
      setUsername('');
      setPassword('');
      await onCreated(name);
    } catch (err) {
      setError(ctx.failed(err));
    }
  };
  return (
    <form className="form-grid" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`} className="field-wide">
        {s.newUser}
      </h4>
      <div className="field">
        <label htmlFor={`${id}-u`}>{s.username}</label>
        <input id={`${id}-u`} value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-p`}>{s.password}</label>
        <input
          id={`${id}-p`}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          minLength={12}
          autoComplete="new-password"
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-s`}>{s.site}</label>
        <input id={`${id}-s`} value={siteId} onChange={(e) => setSiteId(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-r`}>{s.role}</label>
        <select id={`${id}-r`} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">{s.noRole}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary">
          {s.create}
        </button>
      </div>
      <div aria-live="assertive" className="field-wide">
        {error && <p className="error">{error}</p>}
      </div>
    </form>
  );
}
