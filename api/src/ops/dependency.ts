/**
 * What /ready reports: every configured adapter as a dependency with a live check. Probes for
 * servers use their real health endpoints (HTTP) or a TCP connect where no client exists yet.
 */
import { connect } from 'node:net';

export type DependencyState = 'up' | 'down' | 'disabled';

export interface CheckResult {
  state: DependencyState;
  detail: string;
}

export interface Dependency {
  /** Adapter family: database, mqtt, queue, objectStore, extractor, llm, vectorIndex, eventBus. */
  readonly name: string;
  /** Which adapter is active, e.g. pglite, postgres, embedded, redis. */
  readonly adapter: string;
  /** Where it is, safe to log (no secrets). */
  readonly target: string;
  /** What this adapter does today, for the startup log (honest about what is not built yet). */
  readonly note?: string;
  check(timeoutMs: number): Promise<CheckResult>;
  close?(): Promise<void>;
}

export interface ReadyCheck extends CheckResult {
  name: string;
  adapter: string;
  target: string;
  latencyMs: number;
}

/** Runs all checks in parallel, each bounded by timeoutMs; a check that throws or hangs is 'down', never a crash. */
export async function checkAll(deps: readonly Dependency[], timeoutMs: number): Promise<ReadyCheck[]> {
  return Promise.all(
    deps.map(async (dep) => {
      const started = performance.now();
      let result: CheckResult;
      try {
        result = await withTimeout(dep.check(timeoutMs), timeoutMs, `no answer within ${timeoutMs} ms`);
      } catch (err) {
        result = { state: 'down', detail: (err as Error).message };
      }
      return {
        name: dep.name,
        adapter: dep.adapter,
        target: dep.target,
        ...result,
        latencyMs: Math.round(performance.now() - started),
      };
    }),
  );
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** GET url; 'up' when accept(status) holds. Any network error is 'down' with the reason. */
export async function httpProbe(
  url: string,
  timeoutMs: number,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
  headers: Record<string, string> = {},
): Promise<CheckResult> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return accept(res.status)
      ? { state: 'up', detail: `HTTP ${res.status}` }
      : { state: 'down', detail: `HTTP ${res.status} from ${new URL(url).pathname}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { state: 'down', detail: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

/** Opens and closes a TCP connection; for servers whose client is not wired in yet. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ state: 'down', detail: `no TCP answer within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ state: 'up', detail: 'TCP connect ok' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ state: 'down', detail: err.code ?? err.message }));
  });
}
