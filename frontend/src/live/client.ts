/**
 * Typed client of the live WebSocket API (GET /sites/:siteId/live, see docs/live.md) for the
 * dashboard: connects, subscribes to topics, and after a lost connection reconnects with
 * exponential backoff and resumes from the last cursor it saw — the server replays what was
 * missed, or says `gap` when it no longer has it (then `onGap` should reload through REST).
 * Messages are delivered once and in cursor order: anything at or below the last cursor is
 * ignored. In the browser the session cookie authenticates the socket (same origin); `token`
 * is for other origins (sent as `?access_token=`).
 *
 * The socket is structural (`SocketLike`) so the same code runs with the browser's WebSocket and
 * with `ws` in tests.
 */

export type LiveTopic = 'readings' | 'plan' | 'command' | 'override' | 'signal' | 'agent' | 'device' | 'event' | 'alert';

export interface LiveMessage {
  cursor: number;
  topic: LiveTopic;
  atMs: number;
  /** the message of api/src/live/topics.ts for this topic; every one carries siteId */
  data: { siteId: string; [k: string]: unknown };
}

export interface LiveGap {
  reason: 'expired' | 'restarted';
  from: number;
  to: number;
}

export type LiveStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'live'; cursor: number }
  | { state: 'reconnecting'; inMs: number; code?: number; reason?: string }
  /** the server closed for good: 4401 session ended, 4403 no longer allowed; or close() was called */
  | { state: 'stopped'; code?: number; reason?: string };

/** The part of a WebSocket this client uses (browser WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveOptions {
  /** ws:// or wss:// URL of /sites/:siteId/live; liveUrl() builds it from the page's location */
  url: string;
  /** topics to receive; ['*'] for all */
  topics: readonly (LiveTopic | '*')[];
  onMessage: (m: LiveMessage) => void;
  /** messages after your cursor are no longer kept by the server: reload this state through REST */
  onGap?: (gap: LiveGap) => void;
  onStatus?: (s: LiveStatus) => void;
  /** bearer token for another origin (sent as ?access_token=); same origin uses the session cookie */
  token?: () => string | undefined;
  /**
   * Called when the server ends the socket because the session ended (4401, e.g. the 15-minute
   * access token expired): renew the session (POST /auth/refresh) and resolve true to reconnect
   * from the cursor, false to stop. Without it the client stops.
   */
  renew?: () => Promise<boolean>;
  /** resume after this cursor of this epoch (e.g. kept from an earlier page) */
  resume?: { cursor: number; epoch: string };
  /** the WebSocket constructor (default: globalThis.WebSocket) */
  WebSocket?: new (url: string) => SocketLike;
  /** backoff between reconnects: min, max (defaults 500 ms, 30 s), with jitter */
  backoffMs?: { min: number; max: number };
  random?: () => number;
}

export interface LiveConnection {
  /** last cursor delivered (or confirmed by `live`/`heartbeat`) and the server run it belongs to */
  position(): { cursor: number; epoch: string | undefined };
  close(): void;
}

/** Close codes after which reconnecting does not help (sign in again). */
const FINAL_CODES = new Set([4401, 4403]);

/** ws(s)://<this host>/sites/<siteId>/live for the page's own origin. */
export function liveUrl(siteId: string, location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sites/${encodeURIComponent(siteId)}/live`;
}

/** Backoff before reconnect `attempt` (1, 2, …): doubling from min up to max, with ±25 % jitter. */
export function backoffDelayMs(attempt: number, min: number, max: number, random: () => number): number {
  const base = Math.min(max, min * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function connectLive(o: LiveOptions): LiveConnection {
  const Ctor = o.WebSocket ?? (globalThis as unknown as { WebSocket: new (url: string) => SocketLike }).WebSocket;
  const { min, max } = o.backoffMs ?? { min: 500, max: 30_000 };
  const random = o.random ?? Math.random;
  let cursor = o.resume?.cursor ?? 0;
  let epoch = o.resume?.epoch;
  let resumable = o.resume !== undefined;
  let attempt = 0;
  let socket: SocketLike | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let heartbeatMs = 30_000;

  const status = (s: LiveStatus) => o.onStatus?.(s);
  const armWatchdog = () => {
    if (watchdog) clearTimeout(watchdog);
    // no frame for 2.5 heartbeats: the connection is dead even if the browser has not noticed
    watchdog = setTimeout(() => socket?.close(4000, 'no heartbeat'), heartbeatMs * 2.5);
  };

  const open = () => {
    attempt++;
    status({ state: 'connecting', attempt });
    const token = o.token?.();
    const url = token ? `${o.url}${o.url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}` : o.url;
    const ws = new Ctor(url);
    socket = ws;
    ws.onmessage = (ev) => {
      armWatchdog();
      let f: Record<string, unknown>;
      try {
        f = JSON.parse(String(ev.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      switch (f.type) {
        case 'hello':
          heartbeatMs = Number(f.heartbeatS) * 1000 || heartbeatMs;
          armWatchdog();
          ws.send(
            JSON.stringify({
              subscribe: o.topics,
              ...(resumable ? { cursor, ...(epoch !== undefined ? { epoch } : {}) } : {}),
            }),
          );
          if (epoch === undefined || !resumable) epoch = String(f.epoch);
          else if (epoch !== f.epoch) {
            // the service restarted: its cursors start again; the server answers with a gap
            epoch = String(f.epoch);
            cursor = 0;
          }
          break;
        case 'gap':
          o.onGap?.({ reason: f.reason as LiveGap['reason'], from: Number(f.from), to: Number(f.to) });
          break;
        case 'msg': {
          const c = Number(f.cursor);
          if (c <= cursor) return; // already delivered
          cursor = c;
          o.onMessage(f as unknown as LiveMessage);
          break;
        }
        case 'live':
          cursor = Math.max(cursor, Number(f.cursor));
          resumable = true;
          attempt = 0;
          status({ state: 'live', cursor });
          break;
        case 'heartbeat':
          // everything up to the server's head was sent before this frame
          if (resumable) cursor = Math.max(cursor, Number(f.cursor));
          break;
        default:
          break;
      }
    };
    ws.onclose = (ev) => {
      if (watchdog) clearTimeout(watchdog);
      if (socket !== ws) return;
      socket = undefined;
      if (stopped) return;
      const stop = () => {
        stopped = true;
        status({ state: 'stopped', code: ev.code, reason: ev.reason });
      };
      if (ev.code === 4401 && o.renew) {
        o.renew().then((ok) => {
          if (stopped) return;
          if (ok) open();
          else stop();
        }, stop);
        return;
      }
      if (FINAL_CODES.has(ev.code)) return stop();
      const inMs = backoffDelayMs(attempt, min, max, random);
      status({ state: 'reconnecting', inMs, code: ev.code, reason: ev.reason });
      retry = setTimeout(open, inMs);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  };
  open();

  return {
    position: () => ({ cursor, epoch }),
    close() {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (watchdog) clearTimeout(watchdog);
      socket?.close(1000, 'closed by the page');
      socket = undefined;
      status({ state: 'stopped' });
    },
  };
}
