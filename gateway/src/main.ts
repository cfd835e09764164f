import { runMain } from '../../lib/lifecycle';
import { gatewayOptionsFromEnv } from './config';
import { startGateway } from './startGateway';

runMain('gateway', () => startGateway(gatewayOptionsFromEnv()));
