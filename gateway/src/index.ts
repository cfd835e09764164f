export { gatewayOptionsFromEnv, type GatewayOptions } from './config';
export { startGateway, type RunningGateway } from './startGateway';
