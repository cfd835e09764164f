import { Schema, type Connection, type Model } from 'mongoose';

/** A claimed cron tick; the unique index makes exactly one engine instance start its run. */
export interface ScheduleTickDoc {
  scheduleId: string;
  tickTime: Date;
  claimedBy: string;
  runId?: string;
}

const scheduleTickSchema = new Schema<ScheduleTickDoc>(
  {
    scheduleId: { type: String, required: true },
    tickTime: { type: Date, required: true },
    claimedBy: { type: String, required: true },
    runId: String,
  },
  { collection: 'workflow_schedule_ticks', versionKey: false },
);
scheduleTickSchema.index({ scheduleId: 1, tickTime: 1 }, { unique: true });

export type ScheduleTickModel = Model<ScheduleTickDoc>;

/** Registers the ScheduleTick model on a connection. */
export function createScheduleTickModel(connection: Connection): ScheduleTickModel {
  return connection.model<ScheduleTickDoc>('ScheduleTick', scheduleTickSchema);
}
