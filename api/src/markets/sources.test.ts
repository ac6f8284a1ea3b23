import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketParseError } from './errors.js';
import { getWithRetry, redactQuery, SourceError } from './http.js';
import { awattarSource, eicOf, entsoePeriod, entsoeSource } from './sources.js';
import { awattarHandler, DE_LU_XML, entsoeHandler, haveAwattar, startPeer, type Peer } from './test-peers.js';

const ms = (s: string) => Date.parse(s);
const noSleep = { sleep: async () => undefined, random: () => 0.5 };
const DAY1 = [ms('2025-10-30T23:00:00Z'), ms('2025-10-31T23:00:00Z')] as const; // delivery day 2025-10-31 (CET)
const DAY2 = [ms('2025-10-31T23:00:00Z'), ms('2025-11-01T23:00:00Z')] as const;

describe('ENTSO-E client against a local peer serving the real DE-LU A44 document', () => {
  let peer: Peer;
  let nowMs = ms('2025-10-31T09:00:00Z');
  const failNext = { count: 0 };
  beforeAll(async () => {
    peer = await startPeer(entsoeHandler({ token: 'good-token', now: () => nowMs, failNext }));
  });
  afterAll(() => peer.close());
  const source = (token = 'good-token') => entsoeSource({ securityToken: token, zone: 'DE-LU', baseUrl: `${peer.url}/api`, ...noSleep });

  it('sends the A44 query the platform expects (securityToken, domains as EIC, yyyyMMddHHmm periods)', async () => {
    await source().fetch(DAY1[0], DAY1[1], nowMs);
    const q = peer.requests.at(-1)!.query;
    expect(Object.fromEntries(q)).toEqual({
      securityToken: 'good-token',
      documentType: 'A44',
      in_Domain: '10Y1001A1001A82H',
      out_Domain: '10Y1001A1001A82H',
      periodStart: '202510302300',
      periodEnd: '202510312300',
    });
  });

  it('today: 96 quarter-hour prices of the real document, A03 gaps filled, the two sequences merged', async () => {
    const r = await source().fetch(DAY1[0], DAY1[1], nowMs);
    expect(r.kind).toBe('prices');
    if (r.kind !== 'prices') return;
    expect(r.resolutionMs).toBe(900_000);
    expect(r.rates).toHaveLength(96);
    expect(r.rates[0]!.startMs).toBe(DAY1[0]);
    expect(r.rates.at(-1)!.endMs).toBe(DAY1[1]);
    expect(r.publishedAtMs).toBe(ms('2025-10-31T17:50:03Z'));
  });

  it('tomorrow before the auction result: the acknowledgement (reason 999) is no-data, with HTTP 200 or 400', async () => {
    nowMs = ms('2025-10-31T12:30:00Z');
    const r = await source().fetch(DAY2[0], DAY2[1], nowMs);
    expect(r).toEqual({ kind: 'no-data', reason: expect.stringMatching(/No matching data found/) });
    const peer400 = await startPeer(entsoeHandler({ token: 't', now: () => nowMs, ackStatus: 400 }));
    try {
      const r400 = await entsoeSource({ securityToken: 't', zone: 'DE-LU', baseUrl: peer400.url, ...noSleep }).fetch(
        DAY2[0],
        DAY2[1],
        nowMs,
      );
      expect(r400.kind).toBe('no-data');
    } finally {
      await peer400.close();
    }
  });

  it('tomorrow after the real createdDateTime: 96 prices', async () => {
    nowMs = ms('2025-10-31T18:00:00Z');
    const r = await source().fetch(DAY2[0], DAY2[1], nowMs);
    expect(r.kind === 'prices' && r.rates.length).toBe(96);
  });

  it('a refused token is a non-retryable error that names the status, without leaking the token', async () => {
    const before = peer.requests.length;
    const err = await source('wrong-token')
      .fetch(DAY1[0], DAY1[1], nowMs)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).retryable).toBe(false);
    expect((err as SourceError).status).toBe(401);
    expect((err as Error).message).toMatch(/HTTP 401.*refused/);
    expect((err as Error).message).not.toContain('wrong-token');
    expect(peer.requests.length - before).toBe(1); // not retried
  });

  it('503 twice, then the document: retried with backoff, each wait logged', async () => {
    failNext.count = 2;
    const waits: number[] = [];
    const r = await entsoeSource({
      securityToken: 'good-token',
      zone: 'DE-LU',
      baseUrl: peer.url,
      backoffMs: 1000,
      ...noSleep,
      onRetry: ({ waitMs }) => waits.push(waitMs),
    }).fetch(DAY1[0], DAY1[1], nowMs);
    expect(r.kind).toBe('prices');
    expect(waits).toEqual([1000, 2000]);
  });

  it('503 on every attempt: a retryable SourceError after the last attempt', async () => {
    failNext.count = 10;
    const err = await entsoeSource({ securityToken: 'good-token', zone: 'DE-LU', baseUrl: peer.url, attempts: 3, ...noSleep })
      .fetch(DAY1[0], DAY1[1], nowMs)
      .catch((e: unknown) => e);
    failNext.count = 0;
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).retryable).toBe(true);
    expect((err as SourceError).status).toBe(503);
  });

  it('malformed XML from the server is a MarketParseError naming the line (not retried)', async () => {
    const broken = await startPeer((_req, _url, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(DE_LU_XML.replace('</Period>', ''));
    });
    try {
      const err = await entsoeSource({ securityToken: 'x', zone: 'DE-LU', baseUrl: broken.url, ...noSleep })
        .fetch(DAY1[0], DAY1[1], nowMs)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MarketParseError);
      expect((err as Error).message).toMatch(/line \d+/);
      expect(broken.requests).toHaveLength(1);
    } finally {
      await broken.close();
    }
  });
});

describe('ENTSO-E helpers', () => {
  it('zones map to EIC codes; raw EIC codes pass; unknown zones are a clear error', () => {
    expect(eicOf('DE-LU')).toBe('10Y1001A1001A82H');
    expect(eicOf('10YCH-SWISSGRIDZ')).toBe('10YCH-SWISSGRIDZ');
    expect(() => eicOf('XX')).toThrow(/price area "XX" is unknown/);
  });
  it('periods are UTC yyyyMMddHHmm', () => {
    expect(entsoePeriod(ms('2025-03-29T23:00:00Z'))).toBe('202503292300');
  });
  it('tokens are redacted from URLs in logs', () => {
    expect(redactQuery('https://x/api?securityToken=abc&documentType=A44')).toBe('https://x/api?securityToken=***&documentType=A44');
  });
  it('a network error (nothing listening) is retryable', async () => {
    const err = await getWithRetry('entsoe', 'http://127.0.0.1:9/api', {
      attempts: 2,
      timeoutMs: 2000,
      sleep: async () => undefined,
    }).catch((e: unknown) => e);
    expect((err as SourceError).retryable).toBe(true);
    expect((err as Error).message).toMatch(/request failed/);
  });
});

describe.skipIf(!haveAwattar)('aWATTar client against a local peer serving the real 2024-06-14…16 response', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startPeer(awattarHandler());
  });
  afterAll(() => peer.close());

  it('asks /v1/marketdata with start/end in Unix ms and gets the 24 real hours of 2024-06-15 (CEST)', async () => {
    const from = ms('2024-06-14T22:00:00Z');
    const r = await awattarSource({ baseUrl: peer.url, ...noSleep }).fetch(from, from + 86_400_000, from);
    expect(peer.requests.at(-1)!.query.get('start')).toBe(String(from));
    expect(r.kind === 'prices' && r.rates.length).toBe(24);
    if (r.kind === 'prices') expect(r.rates.some((x) => x.value < 0)).toBe(true); // the sample has negative prices
  });

  it('a day the response does not contain is no-data (not published yet)', async () => {
    const from = ms('2024-06-16T22:00:00Z');
    const r = await awattarSource({ baseUrl: peer.url, ...noSleep }).fetch(from, from + 86_400_000, from);
    expect(r.kind).toBe('no-data');
  });
});
