import { runMain } from '../../../lib/lifecycle';
import { intelligenceOptionsFromEnv } from './config';
import { startIntelligence } from './startIntelligence';

runMain('intelligence', () => startIntelligence(intelligenceOptionsFromEnv()));
