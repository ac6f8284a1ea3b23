import { describe, expect, it } from 'vitest';
import { amzDate, canonicalRequest, EMPTY_SHA256, signV4, uriEncode } from './sigv4.js';

describe('AWS Signature V4', () => {
  it('reproduces the GET Object example of the AWS S3 documentation', () => {
    // Amazon S3 API reference, "Signature Calculations for the Authorization Header": GET /test.txt, Range bytes=0-9.
    const headers = signV4({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { Range: 'bytes=0-9' },
      payloadSha256: EMPTY_SHA256,
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('encodes like RFC 3986 (unreserved kept, UTF-8 bytes upper-case hex)', () => {
    expect(uriEncode('a b/ä~*', true)).toBe('a%20b/%C3%A4~%2A');
    expect(uriEncode('a/b', false)).toBe('a%2Fb');
  });

  it('sorts query parameters and headers, collapses header whitespace', () => {
    const { text, signed } = canonicalRequest(
      'get',
      new URL('http://h:9000/b/k?z=1&a=2'),
      { 'X-Amz-Date': 'd', Host: 'h:9000', 'x-custom': ' a   b ' },
      'p',
    );
    expect(text).toBe('GET\n/b/k\na=2&z=1\nhost:h:9000\nx-amz-date:d\nx-custom:a b\n\nhost;x-amz-date;x-custom\np');
    expect(signed).toBe('host;x-amz-date;x-custom');
  });

  it('formats the time as ISO basic', () => {
    expect(amzDate(new Date('2026-11-27T05:04:03.999Z'))).toBe('20261127T050403Z');
  });
});
