import {
  canonicalJson,
  idempotencyRecordId,
  idempotencyScope,
  isIdempotencyKey,
  operationHash,
} from '../../../lib/graphql/idempotencyKey';

const claims = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('isIdempotencyKey', () => {
  it('should accept 1 to 200 printable ASCII characters', () => {
    for (const key of ['a', ' ~', 'k'.repeat(200), '5b0c1e9e-6f0e-4a57-9d1c-1a2b3c4d5e6f']) {
      expect(isIdempotencyKey(key)).toBe(true);
    }
  });

  it('should refuse empty, too long, control or non-ASCII keys and non-strings', () => {
    for (const key of ['', 'k'.repeat(201), 'tab\there', 'line\n', 'clé', undefined, 42]) {
      expect(isIdempotencyKey(key)).toBe(false);
    }
  });
});

describe('canonicalJson', () => {
  it('should sort object keys at every depth but keep array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('idempotencyRecordId', () => {
  const request = {
    key: 'retry-1',
    scope: '',
    query: 'mutation ($id: ID!) { use(id: $id) { count } }',
    operationName: null,
    variables: { id: 'c1', projectId: 'shop' },
  };

  it('should give the same id to the same key and operation whatever the variable key order', () => {
    expect(idempotencyRecordId(request)).toBe(
      idempotencyRecordId({ ...request, variables: { projectId: 'shop', id: 'c1' } }),
    );
    expect(idempotencyRecordId(request)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should give another id to another key, caller, operation text or variables', () => {
    const id = idempotencyRecordId(request);
    expect(idempotencyRecordId({ ...request, key: 'retry-2' })).not.toBe(id);
    expect(idempotencyRecordId({ ...request, scope: '["iss","user-2"]' })).not.toBe(id);
    expect(idempotencyRecordId({ ...request, query: `${request.query} ` })).not.toBe(id);
    expect(idempotencyRecordId({ ...request, variables: { id: 'c2' } })).not.toBe(id);
  });

  it('should not let a key and operation hash be shifted into each other', () => {
    // Joined without a separator, ("ab", "c…") and ("a", "bc…") would collide.
    expect(idempotencyRecordId({ ...request, key: 'ab' })).not.toBe(
      idempotencyRecordId({ ...request, key: 'a' }),
    );
    expect(operationHash(request)).not.toBe(operationHash({ ...request, operationName: 'Use' }));
  });
});

describe('idempotencyScope', () => {
  it('should scope by issuer and subject and ignore the rest of the claims', () => {
    const scope = idempotencyScope(claims({ iss: 'idp', sub: 'user-1', iat: 1 }));
    expect(scope).not.toBe('');
    expect(idempotencyScope(claims({ iss: 'idp', sub: 'user-1', iat: 2 }))).toBe(scope);
    expect(idempotencyScope(claims({ iss: 'idp', sub: 'user-2', iat: 1 }))).not.toBe(scope);
  });

  it('should be empty for anonymous callers and a missing or garbled header', () => {
    expect(idempotencyScope(undefined)).toBe('');
    expect(idempotencyScope(claims({}))).toBe('');
    expect(idempotencyScope('%%%not base64')).toBe('');
    expect(idempotencyScope(claims('a string'))).toBe('');
  });
});
