import type { Connection } from 'mongoose';
import { createComponentInsightModel, type ComponentInsightModel } from './ComponentInsight';
import { createFeatureModel, type FeatureModel } from './Feature';
import { createInvestigationModel, type InvestigationModel } from './Investigation';
import { createProjectContextModel, type ProjectContextModel } from './ProjectContext';
import { createSignalModel, type SignalModel } from './Signal';

/** Every model of the intelligence database. */
export interface IntelligenceModels {
  insights: ComponentInsightModel;
  signals: SignalModel;
  projects: ProjectContextModel;
  features: FeatureModel;
  investigations: InvestigationModel;
}

/** Registers every intelligence model on a connection (indexes come from ensureIndexes). */
export function createIntelligenceModels(connection: Connection): IntelligenceModels {
  return {
    insights: createComponentInsightModel(connection),
    signals: createSignalModel(connection),
    projects: createProjectContextModel(connection),
    features: createFeatureModel(connection),
    investigations: createInvestigationModel(connection),
  };
}
