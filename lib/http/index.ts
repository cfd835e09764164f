export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './createHttpApp';
export { createJsonErrorHandler, notFoundAsJson, sendGraphQLError } from './jsonErrors';
export { closeServer, listen } from './listen';
export { parseByteSize } from './parseByteSize';
