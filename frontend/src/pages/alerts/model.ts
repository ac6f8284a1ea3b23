/** Alerts, events and the rules editor's checks — pure. */

export interface AlertView {
  id: string;
  ruleId: string;
  state: 'firing' | 'acknowledged' | 'resolved' | string;
  severity: string;
  message: string;
  subject: string;
  firedAtMs: number;
  lastSeenAtMs: number | null;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  resolvedAtMs: number | null;
  repeatCount: number;
}

export interface EventView {
  id: number;
  kind: string;
  severity: string;
  message: string;
  startMs: number;
  endMs: number;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const ms = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null;

function listOf(body: unknown, field: string): unknown[] {
  if (Array.isArray(body)) return body;
  return isRecord(body) && Array.isArray(body[field]) ? (body[field] as unknown[]) : [];
}

export function parseAlerts(body: unknown): AlertView[] {
  return listOf(body, 'alerts')
    .filter(isRecord)
    .flatMap((a) => {
      const id = typeof a.id === 'string' || typeof a.id === 'number' ? String(a.id) : '';
      const fired = ms(a.firedAt ?? a.firedAtMs ?? a.atMs);
      if (!id || fired === null) return [];
      return [
        {
          id,
          ruleId: str(a.ruleId),
          state: str(a.state) || 'firing',
          severity: str(a.severity) || 'info',
          message: str(a.message),
          subject: str(a.subject),
          firedAtMs: fired,
          lastSeenAtMs: ms(a.lastSeenAt),
          acknowledgedAtMs: ms(a.acknowledgedAt),
          acknowledgedBy: typeof a.acknowledgedBy === 'string' ? a.acknowledgedBy : null,
          resolvedAtMs: ms(a.resolvedAt),
          repeatCount: typeof a.repeatCount === 'number' ? a.repeatCount : 0,
        },
      ];
    });
}

export function parseEvents(body: unknown): EventView[] {
  return listOf(body, 'events')
    .filter(isRecord)
    .flatMap((e) => {
      const start = ms(e.start);
      if (typeof e.id !== 'number' || start === null) return [];
      return [
        {
          id: e.id,
          kind: str(e.kind),
          severity: str(e.severity) || 'info',
          message: str(e.message),
          startMs: start,
          endMs: ms(e.end) ?? start,
          acknowledgedAtMs: ms(e.acknowledgedAt),
          acknowledgedBy: typeof e.acknowledgedBy === 'string' ? e.acknowledgedBy : null,
        },
      ];
    });
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** Open alerts (firing) first by severity then newest; the rest is history, newest first. */
export function splitAlerts(alerts: readonly AlertView[]): { open: AlertView[]; history: AlertView[] } {
  const open = alerts
    .filter((a) => a.state === 'firing')
    .sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) || b.firedAtMs - a.firedAtMs);
  const history = alerts.filter((a) => a.state !== 'firing').sort((a, b) => b.firedAtMs - a.firedAtMs);
  return { open, history };
}

/**
 * The index of the first JSON syntax error in `text`, or -1 when it is valid. A small scanner of
 * its own because the engines' messages do not always name a position.
 */
export function jsonErrorIndex(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i]! < ' ') fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : 0;
  }
}

/** Where a JSON text is broken: 1-based line and column, and the parser's message; null when it parses. */
export function jsonProblem(text: string): { line: number; column: number; message: string } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = Math.max(0, jsonErrorIndex(text));
    const before = text.slice(0, at).split('\n');
    return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1, message };
  }
}

/** Error lines of a validation answer: { errors: [...] } with strings or { path/field, message } objects, or a 400 message. */
export function validationErrors(body: unknown): string[] {
  if (!isRecord(body)) return [];
  const list = Array.isArray(body.errors) ? body.errors : Array.isArray(body.problems) ? body.problems : [];
  return list.map((e) =>
    typeof e === 'string'
      ? e
      : isRecord(e)
        ? `${str(e.path) || str(e.field) || (typeof e.index === 'number' ? `[${e.index}]` : '')}${str(e.path) || str(e.field) || typeof e.index === 'number' ? ': ' : ''}${str(e.message) || str(e.reason) || JSON.stringify(e)}`
        : String(e),
  );
}
