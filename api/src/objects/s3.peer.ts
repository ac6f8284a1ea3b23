/**
 * A protocol-faithful S3 peer for tests (no MinIO runs here): path-style buckets in memory, every
 * request's AWS SigV4 signature checked against the secret — rebuilt from what arrived on the wire,
 * with its own canonicalisation and HMAC chain, not the client's signer — the payload hash checked
 * against the body, a 15-minute clock-skew window, and S3's XML error bodies
 * (SignatureDoesNotMatch, InvalidAccessKeyId, RequestTimeTooSkewed, XAmzContentSHA256Mismatch,
 * AccessDenied, NoSuchBucket, NoSuchKey). `failNext` injects a 503 SlowDown.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Stored {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

export interface S3Peer {
  url: string;
  objects: Map<string, Stored>;
  requests: { method: string; path: string; signedHeaders: string }[];
  failNext(code: string, status: number): void;
  close(): Promise<void>;
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function xmlError(res: ServerResponse, status: number, code: string, message: string, resource: string, head: boolean): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${resource}</Resource><RequestId>peer</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': head ? 0 : Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

export async function startS3Peer(opts: {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  buckets: string[];
}): Promise<S3Peer> {
  const objects = new Map<string, Stored>();
  const requests: S3Peer['requests'] = [];
  let fault: { code: string; status: number } | undefined;

  const verify = (req: IncomingMessage, body: Buffer): { code: string; status: number; message: string } | undefined => {
    const auth = req.headers.authorization;
    if (!auth) return { code: 'AccessDenied', status: 403, message: 'Access Denied' };
    const m = AUTH.exec(auth);
    if (!m) return { code: 'AuthorizationHeaderMalformed', status: 400, message: 'The authorization header is malformed' };
    const [, keyId, date, region, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
    if (keyId !== opts.accessKeyId)
      return { code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' };
    if (region !== opts.region)
      return { code: 'AuthorizationHeaderMalformed', status: 400, message: `the region '${region}' is wrong; expecting '${opts.region}'` };
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const when = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isFinite(when) || amzDate.slice(0, 8) !== date)
      return { code: 'AccessDenied', status: 403, message: 'X-Amz-Date is missing or does not match the credential scope' };
    if (Math.abs(Date.now() - when) > 15 * 60_000) {
      return {
        code: 'RequestTimeTooSkewed',
        status: 403,
        message: 'The difference between the request time and the current time is too large.',
      };
    }
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-content-sha256')) {
      return { code: 'AccessDenied', status: 403, message: 'host, x-amz-date and x-amz-content-sha256 must be signed' };
    }
    const payloadHash = String(req.headers['x-amz-content-sha256']);
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== hex(body)) {
      return {
        code: 'XAmzContentSHA256Mismatch',
        status: 400,
        message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
      };
    }
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const query = rawQuery
      .split('&')
      .filter(Boolean)
      .map((p) => (p.includes('=') ? p : `${p}=`))
      .sort()
      .join('&');
    const headerLines = names.map((n) => {
      const v = req.headers[n];
      return `${n}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
    });
    const canonical = `${req.method}\n${rawPath}\n${query}\n${headerLines.join('')}\n${signedHeaders}\n${payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${date}/${region}/s3/aws4_request\n${hex(canonical)}`;
    const key = hmac(hmac(hmac(hmac(`AWS4${opts.secretAccessKey}`, date), region), 's3'), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    if (expected !== signature) {
      return {
        code: 'SignatureDoesNotMatch',
        status: 403,
        message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      };
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const head = req.method === 'HEAD';
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const auth = /SignedHeaders=([^,]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    requests.push({ method: req.method ?? '', path, signedHeaders: auth });
    if (fault) {
      const f = fault;
      fault = undefined;
      return xmlError(res, f.status, f.code, 'Please reduce your request rate.', path, head);
    }
    const denied = verify(req, body);
    if (denied) return xmlError(res, denied.status, denied.code, denied.message, path, head);
    const [, bucket = '', ...rest] = path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!opts.buckets.includes(bucket)) return xmlError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', path, head);
    if (!key) {
      if (head) return void res.writeHead(200).end();
      return xmlError(res, 405, 'MethodNotAllowed', 'only HEAD on buckets here', path, head);
    }
    const id = `${bucket}/${key}`;
    switch (req.method) {
      case 'PUT': {
        const etag = createHash('md5').update(body).digest('hex');
        objects.set(id, { body, etag, lastModified: new Date(Math.floor(Date.now() / 1000) * 1000) });
        res.writeHead(200, { etag: `"${etag}"`, 'content-length': 0 }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const o = objects.get(id);
        if (!o) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.', path, head);
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': o.body.length,
          etag: `"${o.etag}"`,
          'last-modified': o.lastModified.toUTCString(),
        });
        res.end(head ? undefined : o.body);
        return;
      }
      case 'DELETE':
        objects.delete(id);
        res.writeHead(204).end();
        return;
      default:
        return xmlError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', path, head);
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    requests,
    failNext(code, status) {
      fault = { code, status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
