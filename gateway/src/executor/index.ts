export {
  createFastGateway,
  type ExecutionPath,
  type FastGatewayOptions,
} from './createFastGateway';
