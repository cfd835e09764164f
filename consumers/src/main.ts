import { runMain } from '../../lib/lifecycle';
import { consumersOptionsFromEnv } from './config';
import { startConsumers } from './startConsumers';

runMain('consumers', () => startConsumers(consumersOptionsFromEnv()));
