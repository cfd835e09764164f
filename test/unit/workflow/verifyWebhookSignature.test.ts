import crypto from 'node:crypto';
import { signWebhook } from '../../../subgraphs/workflow/src';
import {
  verifyWebhookSignature,
  webhookDigest,
} from '../../../subgraphs/workflow/src/webhooks/verifyWebhookSignature';
import {
  isJsonPointer,
  resolveJsonPointer,
} from '../../../subgraphs/workflow/src/webhooks/jsonPointer';

const SECRET = 'unit-secret-0123456789abcdef';
const TIMESTAMP = 1_800_000_000;

/** A request signed with SECRET at TIMESTAMP, checked at `nowSec`. */
const request = (
  body: Buffer,
  overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {},
) => ({
  secret: SECRET,
  timestamp: String(TIMESTAMP),
  signature: `sha256=${webhookDigest(SECRET, String(TIMESTAMP), body).toString('hex')}`,
  rawBody: body,
  toleranceSec: 300,
  nowMs: TIMESTAMP * 1000,
  ...overrides,
});

describe('verifyWebhookSignature', () => {
  const body = Buffer.from(JSON.stringify({ hello: 'wörld' }));

  afterEach(() => jest.restoreAllMocks());

  it('should accept a correctly signed body and agree with signWebhook for UTF-8 bodies', () => {
    expect(verifyWebhookSignature(request(body))).toBeUndefined();
    expect(request(body).signature).toBe(signWebhook(SECRET, String(TIMESTAMP), body.toString()));
  });

  it('should verify the raw bytes, so a body that is not UTF-8 is neither decoded nor refused', () => {
    const latin1 = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]);
    expect(verifyWebhookSignature(request(latin1))).toBeUndefined();
    const signed = request(latin1);
    expect(
      verifyWebhookSignature({ ...signed, rawBody: Buffer.from(latin1.toString('utf8')) }),
    ).toBe('BAD_SIGNATURE');
  });

  it('should refuse another secret, another body and another timestamp', () => {
    const signed = request(body);
    expect(verifyWebhookSignature({ ...signed, secret: `${SECRET}x` })).toBe('BAD_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, rawBody: Buffer.from('{}') })).toBe('BAD_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, timestamp: String(TIMESTAMP + 1) })).toBe(
      'BAD_SIGNATURE',
    );
  });

  it('should compare in constant time, a malformed signature included', () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    const signed = request(body);
    const flipped = signed.signature.slice(0, -1) + (signed.signature.endsWith('0') ? '1' : '0');
    expect(verifyWebhookSignature({ ...signed, signature: flipped })).toBe('BAD_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, signature: 'sha256=abc' })).toBe('BAD_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, signature: 'md5=whatever' })).toBe('BAD_SIGNATURE');
    expect(verifyWebhookSignature(signed)).toBeUndefined();
    // Every check, malformed or not, went through one 32-byte constant-time comparison.
    expect(compare).toHaveBeenCalledTimes(4);
    for (const [given, expected] of compare.mock.calls) {
      expect((given as Buffer).length).toBe(32);
      expect((expected as Buffer).length).toBe(32);
    }
  });

  it('should accept the tolerance edges and refuse one second beyond, in both directions', () => {
    const signed = request(body);
    for (const skew of [-300, 300]) {
      const nowMs = (TIMESTAMP + skew) * 1000;
      expect(verifyWebhookSignature({ ...signed, nowMs })).toBeUndefined();
    }
    for (const skew of [-301, 301]) {
      const nowMs = (TIMESTAMP + skew) * 1000;
      expect(verifyWebhookSignature({ ...signed, nowMs })).toBe('STALE_TIMESTAMP');
    }
  });

  it('should report an unsigned request as unsigned, whatever its timestamp', () => {
    const signed = request(body);
    expect(verifyWebhookSignature({ ...signed, signature: undefined })).toBe('MISSING_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, timestamp: undefined })).toBe('MISSING_SIGNATURE');
    expect(verifyWebhookSignature({ ...signed, timestamp: '2026-01-01' })).toBe(
      'MISSING_SIGNATURE',
    );
    const forgedAndStale = { ...signed, signature: `sha256=${'0'.repeat(64)}`, nowMs: 0 };
    expect(verifyWebhookSignature(forgedAndStale)).toBe('BAD_SIGNATURE');
  });
});

describe('resolveJsonPointer', () => {
  const document = { a: { 'b/c': [10, { '~d': 'deep' }] } };

  it('should follow RFC 6901 pointers, escapes and array indexes included', () => {
    expect(resolveJsonPointer(document, '')).toBe(document);
    expect(resolveJsonPointer(document, '/a/b~1c/0')).toBe(10);
    expect(resolveJsonPointer(document, '/a/b~1c/1/~0d')).toBe('deep');
  });

  it('should designate nothing for missing segments, bad indexes and inherited properties', () => {
    expect(resolveJsonPointer(document, '/a/missing')).toBeUndefined();
    expect(resolveJsonPointer(document, '/a/b~1c/01')).toBeUndefined();
    expect(resolveJsonPointer(document, '/a/constructor')).toBeUndefined();
    expect(resolveJsonPointer(document, '/a/b~1c/0/x')).toBeUndefined();
  });

  it('should tell pointers from other strings', () => {
    expect(['', '/a', '/a~0b~1c'].every(isJsonPointer)).toBe(true);
    expect(['a', '/a~2', '/a~'].some(isJsonPointer)).toBe(false);
  });
});
