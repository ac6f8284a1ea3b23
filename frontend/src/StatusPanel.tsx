/** The System status panel: polls GET /ready (public) and shows every dependency check. */
import { useEffect, useState, type ReactNode } from 'react';
import { formatUptime, type Lang, type Strings } from './i18n';
import { parseReady, type CheckState, type ReadyResponse } from './status';

const POLL_MS = 5000;
const TIMEOUT_MS = 4000;

type Poll =
  | { kind: 'loading' }
  | { kind: 'ok'; data: ReadyResponse; at: Date }
  | { kind: 'error'; reason: 'network' | 'timeout' | 'unexpected'; message: string; at: Date };

async function fetchReady(signal: AbortSignal): Promise<Poll> {
  const at = new Date();
  let res: Response;
  try {
    res = await fetch('/ready', { cache: 'no-store', headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return { kind: 'error', reason: 'timeout', message: '', at };
    }
    return { kind: 'error', reason: 'network', message: err instanceof Error ? err.message : String(err), at };
  }
  // /ready answers 503 with a JSON body when not ready — that is still a valid status.
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const data = parseReady(body);
  if (data) return { kind: 'ok', data, at };
  const httpInfo = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  return { kind: 'error', reason: res.ok ? 'unexpected' : 'network', message: httpInfo, at };
}

function useReadyPolling(): Poll {
  const [poll, setPoll] = useState<Poll>({ kind: 'loading' });

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let controller: AbortController | undefined;

    const tick = async (): Promise<void> => {
      controller = new AbortController();
      const timeout = window.setTimeout(() => controller?.abort(), TIMEOUT_MS);
      const result = await fetchReady(controller.signal);
      window.clearTimeout(timeout);
      if (stopped) return;
      setPoll(result);
      // Schedule the next poll only after this one finished: no overlapping requests.
      timer = window.setTimeout(() => void tick(), POLL_MS);
    };
    void tick();

    return () => {
      stopped = true;
      window.clearTimeout(timer);
      controller?.abort();
    };
  }, []);

  return poll;
}

function stateLabel(t: Strings, state: CheckState): string {
  return state === 'up' ? t.stateUp : state === 'disabled' ? t.stateDisabled : t.stateDown;
}

export function StatusPanel({ t, lang }: { t: Strings; lang: Lang }) {
  const poll = useReadyPolling();
  const timeFmt = new Intl.DateTimeFormat(lang, { timeStyle: 'medium' });

  let summary: ReactNode;
  if (poll.kind === 'loading') {
    summary = <p className="summary">{t.checking}</p>;
  } else if (poll.kind === 'error') {
    const reason =
      poll.reason === 'timeout' ? t.timeout : poll.reason === 'unexpected' ? `${t.unexpectedResponse} (${poll.message})` : poll.message;
    summary = <p className="error">{t.unreachable(reason)}</p>;
  } else {
    const ready = poll.data.status === 'ready';
    summary = (
      <p className="summary">
        <span className={`pill ${ready ? 'pill-ok' : 'pill-bad'}`}>{ready ? t.overallReady : t.overallNotReady}</span>
      </p>
    );
  }

  const data = poll.kind === 'ok' ? poll.data : null;
  const extensions = data ? Object.entries(data.extensions) : [];

  return (
    <section className="card" aria-labelledby="status-heading">
      <div className="card-head">
        <h2 id="status-heading">{t.statusHeading}</h2>
        {poll.kind !== 'loading' && (
          <p className="muted small">
            {t.lastChecked}: <time dateTime={poll.at.toISOString()}>{timeFmt.format(poll.at)}</time> · {t.refreshHint}
          </p>
        )}
      </div>

      {/* Only the overall state / error is announced, not every latency change. */}
      <div aria-live="polite" aria-atomic="true">
        {summary}
      </div>

      {data && (
        <>
          <dl className="facts">
            <div>
              <dt>{t.version}</dt>
              <dd>{data.version || '–'}</dd>
            </div>
            <div>
              <dt>{t.uptime}</dt>
              <dd>{data.uptimeS === null ? '–' : formatUptime(data.uptimeS)}</dd>
            </div>
          </dl>

          <div className="table-wrap" role="region" aria-labelledby="status-heading" tabIndex={0}>
            <table>
              <caption className="visually-hidden">{t.statusHeading}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.colName}</th>
                  <th scope="col">{t.colAdapter}</th>
                  <th scope="col">{t.colWhere}</th>
                  <th scope="col">{t.colState}</th>
                  <th scope="col">{t.colDetail}</th>
                </tr>
              </thead>
              <tbody>
                {data.checks.length === 0 ? (
                  <tr>
                    <td colSpan={5} className="muted">
                      {t.noChecks}
                    </td>
                  </tr>
                ) : (
                  data.checks.map((c, i) => (
                    <tr key={`${c.name}-${i}`}>
                      <th scope="row">{c.name}</th>
                      <td>{c.adapter || '–'}</td>
                      <td>
                        <code>{c.target || '–'}</code>
                      </td>
                      <td>
                        <span className={`badge badge-${c.state}`}>{stateLabel(t, c.state)}</span>
                      </td>
                      <td>
                        {c.detail || (c.latencyMs === null ? '–' : '')}
                        {c.latencyMs !== null && (
                          <span className="muted">
                            {c.detail ? ' · ' : ''}
                            {c.latencyMs} ms
                          </span>
                        )}
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>

          {extensions.length > 0 && (
            <>
              <h3>{t.extensionsHeading}</h3>
              <ul className="flags">
                {extensions.map(([name, on]) => (
                  <li key={name} className={on ? 'flag flag-on' : 'flag flag-off'}>
                    <span aria-hidden="true">{on ? '✓' : '✗'}</span> <code>{name}</code>: {on ? t.extOn : t.extOff}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
