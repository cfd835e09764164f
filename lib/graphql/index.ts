export {
  badUserInput,
  conflict,
  ERROR_CODES,
  graphqlError,
  notFound,
  type ErrorCode,
} from './errors';
export { DateTimeScalar } from './scalars';
export { JSONScalar } from './jsonScalar';
export { loadSubgraphSdl, REPO_ROOT } from './loadSchemaFile';
export { isSignedByGateway, signClaims, SIGNATURE_HEADERS } from './gatewaySignature';
export {
  startSubgraphServer,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphIdempotencyOptions,
  type SubgraphServerOptions,
} from './startSubgraphServer';
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAY_HEADER,
  isIdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
} from './idempotencyKey';
export {
  createIdempotencyStore,
  type IdempotencyRecord,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
} from './idempotencyStore';
export { useIdempotency, type UseIdempotencyOptions } from './useIdempotency';
