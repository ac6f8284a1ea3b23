/**
 * The signed-in dashboard: the route from the address bar (#/site/<id>/<page>), the page tabs a
 * person's role allows, and the page itself. Unknown or forbidden routes fall back (nav.ts).
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { authed, parseSite, sitePath, type Site, type User } from '../api';
import type { Lang, Strings } from '../i18n';
import { SeriesView } from '../series/SeriesView';
import { Sites } from '../Sites';
import { AdminPage } from './admin/AdminPage';
import { AlertsPage } from './alerts/AlertsPage';
import { COMMON } from './common.strings';
import type { PageContext, SitePageContext } from './context';
import { DevicesPage } from './devices/DevicesPage';
import { ForecastPage } from './forecast/ForecastPage';
import { ImportsPage } from './imports/ImportsPage';
import { KnowledgePage } from './knowledge/KnowledgePage';
import { allowedRoute, formatHash, globalPagesFor, parseHash, sitePagesFor, type Route, type SitePage } from './nav';
import { Overview } from './overview/Overview';
import { useResource } from './resource';
import { ResourceState } from './ResourceState';

interface Props {
  t: Strings;
  lang: Lang;
  user: User;
  failed: (err: unknown) => string | null;
  onSessionEnded: () => void;
}

function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((r: Route) => {
    const hash = formatHash(r);
    if (window.location.hash !== hash) window.location.hash = hash;
    setRoute(r);
  }, []);
  return [route, go];
}

export function Shell({ t, lang, user, failed, onSessionEnded }: Props) {
  const [wanted, go] = useRoute();
  const route = allowedRoute(wanted, user.roles);
  const c = COMMON[lang];
  const ctx: PageContext = { t, lang, c, user, roles: user.roles, failed, onSessionEnded };
  const globals = globalPagesFor(user.roles);

  const firstRoute = useRef(true);
  useEffect(() => {
    // After navigation (not on the first load) move focus to the top of the page so keyboard users start there.
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.getElementById('page-top')?.focus();
  }, [route.kind, route.kind === 'site' ? route.siteId : '', route.kind !== 'sites' ? route.page : '']);

  let body: ReactNode;
  if (route.kind === 'site') body = <SiteBody ctx={ctx} siteId={route.siteId} page={route.page} go={go} />;
  else if (route.kind === 'global' && route.page === 'admin') body = <AdminPage {...ctx} />;
  else if (route.kind === 'global') body = <KnowledgePage {...ctx} />;
  else
    body = (
      <Sites
        t={t}
        roles={user.roles}
        onSessionEnded={onSessionEnded}
        onOpenSeries={(site) => go({ kind: 'site', siteId: site.id, page: 'explorer' })}
        onOpenOverview={(site) => go({ kind: 'site', siteId: site.id, page: 'overview' })}
      />
    );

  return (
    <>
      <nav className="pagenav" aria-label={c.globalPagesLabel}>
        <ul>
          <li>
            <a href={formatHash({ kind: 'sites' })} aria-current={route.kind === 'sites' ? 'page' : undefined}>
              {c.backToSites}
            </a>
          </li>
          {globals.map((p) => (
            <li key={p}>
              <a
                href={formatHash({ kind: 'global', page: p })}
                aria-current={route.kind === 'global' && route.page === p ? 'page' : undefined}
              >
                {c.pageNames[p]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div id="page-top" tabIndex={-1} className="page-top" />
      {body}
    </>
  );
}

function SiteBody({ ctx, siteId, page, go }: { ctx: PageContext; siteId: string; page: SitePage; go: (r: Route) => void }) {
  const load = useCallback(async () => {
    const site = parseSite(await authed('GET', sitePath(siteId, '')));
    if (!site) throw new Error(`Unexpected answer from GET /sites/${siteId}`);
    return site;
  }, [siteId]);
  const [res] = useResource(`site:${siteId}`, load, ctx.failed);
  const pages = sitePagesFor(ctx.roles, siteId);
  const c = ctx.c;
  return (
    <ResourceState c={c} res={res} what={siteId}>
      {(site: Site) => {
        const sctx: SitePageContext = { ...ctx, site };
        return (
          <>
            <nav className="pagenav tabs" aria-label={c.sitePagesLabel(site.name)}>
              <ul>
                {pages.map((p) => (
                  <li key={p}>
                    <a href={formatHash({ kind: 'site', siteId, page: p })} aria-current={p === page ? 'page' : undefined}>
                      {c.pageNames[p]}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            {page === 'overview' && <Overview {...sctx} />}
            {page === 'explorer' && (
              <SeriesView t={ctx.t} lang={ctx.lang} site={site} onBack={() => go({ kind: 'sites' })} onSessionEnded={ctx.onSessionEnded} />
            )}
            {page === 'forecast' && <ForecastPage {...sctx} />}
            {page === 'devices' && <DevicesPage {...sctx} />}
            {page === 'alerts' && <AlertsPage {...sctx} />}
            {page === 'imports' && <ImportsPage {...sctx} />}
          </>
        );
      }}
    </ResourceState>
  );
}
