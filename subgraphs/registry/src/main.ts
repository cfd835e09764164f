import { runMain } from '../../../lib/lifecycle';
import { registryOptionsFromEnv } from './config';
import { startRegistry } from './startRegistry';

runMain('registry', () => startRegistry(registryOptionsFromEnv()));
