export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './createHttpApp';
export { closeServer, listen } from './listen';
