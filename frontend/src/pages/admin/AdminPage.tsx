/** Administration (administer on all sites): users and roles, API keys, audit log. */
import type { PageContext } from '../context';
import { ApiKeys } from './ApiKeys';
import { Audit } from './Audit';
import { ADMIN } from './strings';
import { Users } from './Users';

export function AdminPage(ctx: PageContext) {
  const s = ADMIN[ctx.lang];
  return (
    <section className="card" aria-labelledby="admin-heading">
      <div className="card-head">
        <h2 id="admin-heading">{s.heading}</h2>
      </div>
      <Users ctx={ctx} s={s} />
      <ApiKeys ctx={ctx} s={s} />
      <Audit ctx={ctx} s={s} />
    </section>
  );
}
