/**
 * The wire format of the live API (GET /sites/:siteId/live), shared with the dashboard client
 * (frontend/src/live/). JSON text frames; docs/live.md describes them for people.
 *
 * Server → client:
 *   { type: 'hello', siteId, epoch, cursor, oldest, topics, heartbeatS }   once, on connect
 *   { type: 'msg', cursor, topic, atMs, data }                             one message of the site
 *   { type: 'gap', reason, from, to }                                      messages from..to are not kept: reload via REST
 *   { type: 'live', cursor, topics }                                       catch-up done; what follows is live
 *   { type: 'heartbeat', cursor }                                          every heartbeatS; the newest cursor of the site
 *   { type: 'pong', id }                                                   answer to { ping }
 *   { type: 'error', code, message }                                       a client message was refused (the socket stays open)
 * Client → server:
 *   { subscribe: ['readings', …] | ['*'], cursor?: n, epoch?: '…' }      choose topics; resume after cursor
 *   { ping: id }                                                           application-level ping (browsers cannot send ping frames)
 */
import { LIVE_TOPICS } from './topics.js';

export type TopicName = keyof typeof LIVE_TOPICS;
export const TOPIC_NAMES = Object.keys(LIVE_TOPICS) as TopicName[];
const BUS_TO_NAME = new Map<string, TopicName>(TOPIC_NAMES.map((n) => [LIVE_TOPICS[n], n]));

/** The short name of a bus topic (`live.readings` → `readings`). */
export function topicName(busTopic: string): TopicName | undefined {
  return BUS_TO_NAME.get(busTopic);
}

/** Close codes the server uses (4000–4999 are the application's own). */
export const CLOSE = {
  /** the client does not read fast enough: more than the limit queued */
  slowConsumer: 1013,
  /** no pong to the last ping: the TCP connection is terminated, no close frame (clients see 1006) */
  heartbeat: 1006,
  /** the session or API key behind the socket ended (expired, revoked, user disabled) */
  unauthenticated: 4401,
  /** the caller's role no longer allows reading the site */
  forbidden: 4403,
  /** the service is stopping */
  goingAway: 1001,
} as const;

export type ClientMessage =
  { kind: 'subscribe'; topics: TopicName[]; cursor?: number; epoch?: string; unknown: string[] } | { kind: 'ping'; id: unknown };

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; code: string; message: string };

/** Parses one client frame. Unknown topics are reported but do not spoil the known ones beside them. */
export function parseClientMessage(text: string): ParseResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad_json', message: `not JSON: ${(err as Error).message}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { ok: false, code: 'bad_message', message: 'expected an object like {"subscribe":["readings"],"cursor":0}' };
  const m = v as Record<string, unknown>;
  if ('ping' in m) return { ok: true, message: { kind: 'ping', id: m.ping } };
  if (!('subscribe' in m))
    return { ok: false, code: 'bad_message', message: 'unknown message: send {"subscribe":[topics],"cursor":n} or {"ping":id}' };
  if (!Array.isArray(m.subscribe) || !m.subscribe.every((t) => typeof t === 'string'))
    return {
      ok: false,
      code: 'bad_subscribe',
      message: `subscribe: expected an array of topic names (${TOPIC_NAMES.join(', ')}) or ["*"]`,
    };
  const asked = m.subscribe as string[];
  const all = asked.includes('*');
  const topics = all ? [...TOPIC_NAMES] : TOPIC_NAMES.filter((t) => asked.includes(t));
  const unknown = asked.filter((t) => t !== '*' && !BUS_TO_NAME.has(`live.${t}`));
  let cursor: number | undefined;
  if (m.cursor !== undefined && m.cursor !== null) {
    if (typeof m.cursor !== 'number' || !Number.isSafeInteger(m.cursor) || m.cursor < 0)
      return { ok: false, code: 'bad_cursor', message: `cursor: expected a whole number ≥ 0 (got ${JSON.stringify(m.cursor)})` };
    cursor = m.cursor;
  }
  if (m.epoch !== undefined && typeof m.epoch !== 'string')
    return { ok: false, code: 'bad_epoch', message: 'epoch: expected the string from the hello message' };
  return {
    ok: true,
    message: {
      kind: 'subscribe',
      topics,
      unknown,
      ...(cursor !== undefined ? { cursor } : {}),
      ...(typeof m.epoch === 'string' ? { epoch: m.epoch } : {}),
    },
  };
}
