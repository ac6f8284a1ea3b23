/**
 * Test support (not used by the service): local HTTP peers for the price clients' tests (no internet here). They serve the REAL sample
 * responses from `fixtures/` (copies of /work/shared/data/{entsoe,prices}) and follow each API's
 * protocol: ENTSO-E checks `securityToken` (401 with an HTML body otherwise, as the platform
 * does), the A44 query parameters, and answers an Acknowledgement_MarketDocument with reason 999
 * for periods it has no document for (the ack body is synthetic, built after the API guide: no
 * real sample exists, see /work/shared/data/entsoe/README.md). A day counts as published once the
 * peer's clock passes the real document's createdDateTime (2025-10-31T17:50:03Z for 2025-11-01).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_DATA_DIR } from '../tariffs/reference-site.js';

export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
export const DE_LU_XML = fixture('A44_day_ahead_prices_DE-LU_PT15M_2025-10-31_2025-11-01.xml');
/** The aWATTar sample has no licence to ship: read from ../shared/data (tests skip without it). */
export const AWATTAR_FILE = join(DEFAULT_DATA_DIR, 'prices', 'awattar_marketdata_DE_sample_2024-06-14_2024-06-16.json');
export const haveAwattar = existsSync(AWATTAR_FILE);

export function ack999(fromParam: string, toParam: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">
  <mRID>5c8e1c7b-6d1f-4f0e-9a51-0d2b9c8a7f11</mRID>
  <createdDateTime>2025-10-31T11:00:00Z</createdDateTime>
  <sender_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</sender_MarketParticipant.mRID>
  <sender_MarketParticipant.marketRole.type>A32</sender_MarketParticipant.marketRole.type>
  <receiver_MarketParticipant.mRID codingScheme="A01">10X1001A1001A450</receiver_MarketParticipant.mRID>
  <receiver_MarketParticipant.marketRole.type>A39</receiver_MarketParticipant.marketRole.type>
  <received_MarketDocument.createdDateTime>2025-10-31T11:00:00Z</received_MarketDocument.createdDateTime>
  <Reason>
    <code>999</code>
    <text>No matching data found for Data item Day-ahead Prices [12.1.D] (10Y1001A1001A82H, 10Y1001A1001A82H) and interval ${fromParam}/${toParam}.</text>
  </Reason>
</Acknowledgement_MarketDocument>`;
}

export interface Peer {
  url: string;
  requests: Array<{ path: string; query: URLSearchParams }>;
  close(): Promise<void>;
}

export async function startPeer(handler: (req: IncomingMessage, url: URL, res: ServerResponse) => void): Promise<Peer> {
  const requests: Peer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    requests.push({ path: url.pathname, query: url.searchParams });
    handler(req, url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ENTSOE_PERIOD = /^\d{12}$/;
const toMs = (p: string) => Date.UTC(+p.slice(0, 4), +p.slice(4, 6) - 1, +p.slice(6, 8), +p.slice(8, 10), +p.slice(10, 12));

/**
 * An ENTSO-E peer holding the real DE-LU document (delivery 2025-10-30T23:00Z … 2025-11-01T23:00Z).
 * `now()` is the peer's clock; `failNext` answers that many requests with 503 first.
 */
export function entsoeHandler(o: { token: string; now: () => number; failNext?: { count: number }; ackStatus?: number }) {
  const published = Date.parse('2025-10-31T17:50:03Z'); // the real document's createdDateTime
  return (_req: IncomingMessage, url: URL, res: ServerResponse) => {
    if (o.failNext && o.failNext.count > 0) {
      o.failNext.count--;
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>Service Temporarily Unavailable</body></html>');
      return;
    }
    const q = url.searchParams;
    if (q.get('securityToken') !== o.token) {
      res
        .writeHead(401, { 'content-type': 'text/html' })
        .end('<html><head><title>Unauthorized</title></head><body><h1>Unauthorized</h1></body></html>');
      return;
    }
    const start = q.get('periodStart') ?? '';
    const end = q.get('periodEnd') ?? '';
    if (
      q.get('documentType') !== 'A44' ||
      !ENTSOE_PERIOD.test(start) ||
      !ENTSOE_PERIOD.test(end) ||
      q.get('in_Domain') !== q.get('out_Domain')
    ) {
      res.writeHead(400, { 'content-type': 'application/xml' }).end(
        ack999(start, end)
          .replace('<code>999</code>', '<code>B11</code>')
          .replace(/<text>.*<\/text>/, '<text>Query is not valid</text>'),
      );
      return;
    }
    const fromMs = toMs(start);
    const untilMs = toMs(end);
    const docFrom = Date.parse('2025-10-30T23:00:00Z');
    const day2 = Date.parse('2025-10-31T23:00:00Z');
    const docTo = Date.parse('2025-11-01T23:00:00Z');
    const covers = fromMs >= docFrom && untilMs <= docTo && (untilMs <= day2 || o.now() >= published);
    if (covers && q.get('in_Domain') === '10Y1001A1001A82H') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end(DE_LU_XML);
      return;
    }
    res.writeHead(o.ackStatus ?? 200, { 'content-type': 'application/xml' }).end(ack999(start, end));
  };
}

/** An aWATTar peer: the real 72-hour response, cut to `start`/`end` (Unix ms) like the API does. */
export function awattarHandler() {
  const doc = JSON.parse(readFileSync(AWATTAR_FILE, 'utf8')) as {
    object: string;
    data: Array<{ start_timestamp: number; end_timestamp: number }>;
  };
  return (_req: IncomingMessage, url: URL, res: ServerResponse) => {
    if (url.pathname !== '/v1/marketdata') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const start = Number(url.searchParams.get('start') ?? 0);
    const end = Number(url.searchParams.get('end') ?? Number.MAX_SAFE_INTEGER);
    const data = doc.data.filter((d) => d.end_timestamp > start && d.start_timestamp < end);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, url: '/de/v1/marketdata' }));
  };
}
