import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Account } from './Account';
import { describeError, getSetupNeeded, login, me, type User } from './api';
import { isLang, pickLanguage, STRINGS, type Lang, type Strings } from './i18n';
import { Shell } from './pages/Shell';
import { Setup } from './Setup';
import { SignIn } from './SignIn';
import { StatusPanel } from './StatusPanel';
import { useFailure } from './useFailure';

const LANG_KEY = 'luna-iems.lang';

function initialLang(): Lang {
  try {
    const stored = window.localStorage.getItem(LANG_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // storage unavailable (private mode etc.) — fall back to the browser setting
  }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return pickLanguage(langs);
}

type Notice = 'signedOut' | 'sessionEnded' | 'setupAlreadyDone' | 'setupDoneSignIn';

type Auth =
  | { kind: 'checking' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'setup'; token: string }
  | { kind: 'signedOut'; notice?: Notice; error?: string; username?: string }
  | { kind: 'signedIn'; user: User };

const SETUP_PARAM = 'setup';

function setupTokenFromUrl(): string {
  return new URLSearchParams(window.location.search).get(SETUP_PARAM)?.trim() ?? '';
}

/** Takes the one-time token out of the address bar and the history entry. */
function forgetSetupToken(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has(SETUP_PARAM)) return;
  url.searchParams.delete(SETUP_PARAM);
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

/** Setup needed → setup form; otherwise who is signed in (the session cookie) → dashboard or sign-in form. */
async function resolveAuth(t: Strings): Promise<Auth> {
  try {
    const token = setupTokenFromUrl();
    if (await getSetupNeeded()) return { kind: 'setup', token };
    if (token) forgetSetupToken();
    const user = await me();
    if (user) return { kind: 'signedIn', user };
    return { kind: 'signedOut', ...(token ? { notice: 'setupAlreadyDone' as const } : {}) };
  } catch (err) {
    return { kind: 'unreachable', message: describeError(err, t) };
  }
}

function noticeText(t: Strings, notice: Notice | undefined): string | undefined {
  if (!notice) return undefined;
  return { signedOut: t.signedOut, sessionEnded: t.sessionEnded, setupAlreadyDone: t.setupAlreadyDone, setupDoneSignIn: t.setupDoneSignIn }[
    notice
  ];
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const t = STRINGS[lang];

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const toggleLang = useCallback(() => {
    setLang((prev) => {
      const next: Lang = prev === 'de' ? 'en' : 'de';
      try {
        window.localStorage.setItem(LANG_KEY, next);
      } catch {
        // ignore: the choice just won't persist
      }
      return next;
    });
  }, []);

  const otherLang: Lang = lang === 'de' ? 'en' : 'de';

  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });
  const check = useCallback(async (strings: Strings) => {
    setAuth({ kind: 'checking' });
    setAuth(await resolveAuth(strings));
  }, []);
  useEffect(() => {
    void check(STRINGS[initialLang()]);
  }, [check]);

  const sessionEnded = useCallback(() => setAuth({ kind: 'signedOut', notice: 'sessionEnded' }), []);
  const failed = useFailure(sessionEnded, t);

  const afterSetup = async (username: string, password: string) => {
    forgetSetupToken();
    try {
      setAuth({ kind: 'signedIn', user: await login(username, password) });
    } catch (err) {
      setAuth({ kind: 'signedOut', notice: 'setupDoneSignIn', error: describeError(err, t), username });
    }
  };

  let body: ReactNode;
  switch (auth.kind) {
    case 'checking':
      body = (
        <p className="card" role="status">
          {t.checkingSession}
        </p>
      );
      break;
    case 'unreachable':
      body = (
        <section className="card" aria-live="assertive">
          <p className="error">{auth.message}</p>
          <p>
            <button type="button" className="btn" onClick={() => void check(t)}>
              {t.retry}
            </button>
          </p>
        </section>
      );
      break;
    case 'setup':
      body = <Setup t={t} initialToken={auth.token} onCreated={afterSetup} />;
      break;
    case 'signedOut':
      body = (
        <SignIn
          t={t}
          notice={noticeText(t, auth.notice)}
          initialError={auth.error}
          initialUsername={auth.username}
          onSignedIn={(user) => setAuth({ kind: 'signedIn', user })}
        />
      );
      break;
    case 'signedIn':
      body = (
        <>
          <Shell t={t} lang={lang} user={auth.user} failed={failed} onSessionEnded={sessionEnded} />
          <StatusPanel t={t} lang={lang} />
        </>
      );
      break;
  }

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // the address bar's hash is the page route: move focus without touching it
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t.skipToContent}
      </a>
      <header className="topbar">
        <div className="brand">
          <h1>Luna-IEMS</h1>
          <p className="muted">{t.tagline}</p>
        </div>
        <div className="topbar-tools">
          {auth.kind === 'signedIn' && (
            <Account t={t} lang={lang} user={auth.user} onSignedOut={() => setAuth({ kind: 'signedOut', notice: 'signedOut' })} />
          )}
          <button type="button" className="btn" onClick={toggleLang} aria-label={t.switchLanguage}>
            <span lang={otherLang}>{t.otherLanguageName}</span>
          </button>
        </div>
      </header>

      <main className="content" id="main" tabIndex={-1}>
        {body}

        <nav className="card" aria-labelledby="links-heading">
          <h2 id="links-heading">{t.linksHeading}</h2>
          <ul className="links">
            <li>
              <a className="btn btn-link" href="/docs">
                {t.linkDocs}
              </a>
            </li>
            <li>
              <a className="btn btn-link" href="/metrics">
                {t.linkMetrics}
              </a>
            </li>
          </ul>
        </nav>
      </main>

      <footer className="footer muted small">{t.footer}</footer>
    </>
  );
}
