import type { IntelligenceContext } from '../context';

/** A Component reference as the gateway sends it. */
interface ComponentRef {
  id: string;
}

/** Intelligence's fields on the shared `Component` entity. */
export const Component = {
  __resolveReference: (ref: ComponentRef) => ref,
  insights: async (ref: ComponentRef, _args: unknown, ctx: IntelligenceContext) => {
    const doc = await ctx.insightById.load(ref.id);
    return (
      doc && {
        registeredAt: doc.registeredAt,
        eventCount: doc.eventCount,
        lastEventType: doc.lastEventType,
        lastEventAt: doc.lastEventAt,
      }
    );
  },
};
