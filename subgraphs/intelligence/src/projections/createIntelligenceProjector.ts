import type { EventHandler } from '../../../../lib/events';
import { createLogger, type Logger } from '../../../../lib/logging';
import { connectMongo, ensureIndexes } from '../../../../lib/mongo';
import type { PlatformOptions } from '../../../../lib/config';
import { createComponentInsightModel } from '../models/ComponentInsight';
import { applyComponentRegistered } from './applyComponentEvent';

/** The intelligence read-model projector hosted by the consumers role. */
export interface IntelligenceProjector {
  /** Handlers by event type. */
  handlers: Record<string, EventHandler>;
  stop(): Promise<void>;
}

/** Connects to the intelligence database and returns the event handlers that build its read model. */
export async function createIntelligenceProjector(
  platform: PlatformOptions,
  logger: Logger = createLogger({ name: 'intelligence-projector', level: platform.logLevel }),
): Promise<IntelligenceProjector> {
  const mongo = await connectMongo({
    uri: platform.mongo.uri,
    dbName: `${platform.mongo.dbPrefix}intelligence`,
    logger,
  });
  const insights = createComponentInsightModel(mongo);
  await ensureIndexes(mongo);
  return {
    handlers: {
      'component.registered': async (event) => {
        await applyComponentRegistered(insights, event);
      },
    },
    stop: () => mongo.close(),
  };
}
