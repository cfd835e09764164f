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
export {
  startSubgraphServer,
  type BaseContext,
  type RunningSubgraph,
  type SubgraphServerOptions,
} from './startSubgraphServer';
