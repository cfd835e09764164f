export { intelligenceOptionsFromEnv, type IntelligenceOptions } from './config';
export { startIntelligence } from './startIntelligence';
export {
  createIntelligenceProjector,
  type IntelligenceProjector,
} from './projections/createIntelligenceProjector';
