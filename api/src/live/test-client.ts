/** A plain `ws` client of the live API for tests and the benchmark: collects frames, waits for one that matches. */
import WebSocket from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are arbitrary JSON
export type Frame = Record<string, any>;

export interface TestSocket {
  ws: WebSocket;
  frames: Frame[];
  /** resolves with the first frame (from the start, or after `after` frames) that matches */
  next(match: (f: Frame) => boolean, timeoutMs?: number, after?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

/** Opens a socket; rejects with the HTTP status (e.g. 401, 403, 404) when the upgrade is refused. */
export function openSocket(url: string, headers: Record<string, string> = {}, options: { autoPong?: boolean } = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...options });
    const frames: Frame[] = [];
    const waiters = new Set<() => void>();
    ws.on('message', (data) => {
      frames.push(JSON.parse(String(data)) as Frame);
      for (const w of [...waiters]) w();
    });
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => {
        res({ code, reason: reason.toString() });
        for (const w of [...waiters]) w();
      }),
    );
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    ws.on('error', (err) => reject(err));
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        closed,
        send: (m) => ws.send(JSON.stringify(m)),
        next(match, timeoutMs = 10_000, after = 0) {
          return new Promise((res, rej) => {
            const check = () => {
              const f = frames.slice(after).find(match);
              if (f) {
                waiters.delete(check);
                clearTimeout(timer);
                res(f);
              } else if (ws.readyState === WebSocket.CLOSED) {
                waiters.delete(check);
                clearTimeout(timer);
                rej(new Error(`socket closed before the frame came; last: ${JSON.stringify(frames.slice(-3)).slice(0, 500)}`));
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`no matching frame within ${timeoutMs} ms; last: ${JSON.stringify(frames.slice(-3)).slice(0, 500)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      }),
    );
  });
}
