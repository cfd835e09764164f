export { intelligenceOptionsFromEnv, type IntelligenceOptions } from './config';
export { startIntelligence, type RunningIntelligence } from './startIntelligence';
export {
  createIntelligenceProjector,
  type IntelligenceProjector,
} from './projections/createIntelligenceProjector';
