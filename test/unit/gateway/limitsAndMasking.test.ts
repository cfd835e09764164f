import { createHmac } from 'node:crypto';
import { getOperationAST, parse } from 'graphql';
import { createErrorMasking } from '../../../gateway/src/plugins/useErrorMasking';
import { measureOperation } from '../../../gateway/src/plugins/useOperationLimits';
import { signClaims, SIGNATURE_HEADERS } from '../../../lib/graphql/gatewaySignature';
import { subgraphUrlsOf } from '../../../gateway/src/subgraphReadiness';

const measure = (source: string, variables: Record<string, unknown> = {}) => {
  const document = parse(source);
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) =>
      d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [],
    ),
  );
  return measureOperation(getOperationAST(document)!, fragments, variables);
};

describe('measureOperation', () => {
  it('should count depth through fragments and aliases', () => {
    expect(
      measure('{ a: me { ...F } b: me { id } } fragment F on User { reviews { body } }'),
    ).toEqual({
      depth: 2,
      aliases: 2,
      cost: 5,
    });
  });

  it('should multiply the cost of a list by its first argument, from variables too', () => {
    expect(measure('query ($n: Int) { items(first: $n) { id name } }', { n: 10 }).cost).toBe(21);
  });
});

describe('createErrorMasking', () => {
  const unexpected = {
    message: 'connect ECONNREFUSED 10.0.0.3:5432',
    extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: at db.ts:1'] },
  };

  it('should mask unexpected errors in production and keep their code', () => {
    expect(createErrorMasking(true)(unexpected)).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('should keep public errors as they are, without stack traces', () => {
    const formatted = createErrorMasking(true)({
      message: 'run 1 not found',
      extensions: { code: 'NOT_FOUND', stacktrace: ['x'] },
    });
    expect(formatted).toEqual({ message: 'run 1 not found', extensions: { code: 'NOT_FOUND' } });
  });
});

describe('signClaims', () => {
  it('should sign timestamp and claims with HMAC-SHA256', () => {
    const headers = signClaims('secret', { sub: 'u1' }, 1000);
    const claims = headers[SIGNATURE_HEADERS.claims]!;
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ sub: 'u1' });
    expect(headers[SIGNATURE_HEADERS.signature]).toBe(
      createHmac('sha256', 'secret').update(`1000.${claims}`).digest('hex'),
    );
  });
});

describe('subgraphUrlsOf', () => {
  it('should read routing URLs from the join__Graph enum', () => {
    const sdl = `enum join__Graph { A @join__graph(name: "accounts", url: "http://a/graphql") }`;
    expect(subgraphUrlsOf(sdl)).toEqual({ accounts: 'http://a/graphql' });
  });
});
