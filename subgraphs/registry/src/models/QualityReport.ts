import { Schema, type Connection, type Model } from 'mongoose';
import type { QualityReportDoc } from './Component';

const qualityReportSchema = new Schema<QualityReportDoc>(
  {
    _id: { type: String, required: true },
    componentId: { type: String, required: true },
    revision: { type: Number, required: true },
    score: { type: Number, required: true },
    passed: { type: Boolean, required: true },
    checks: { type: [Object], default: [] },
    createdAt: { type: Date, required: true },
  },
  { collection: 'quality_reports', versionKey: false },
);
qualityReportSchema.index({ componentId: 1, createdAt: -1 });

export type QualityReportModel = Model<QualityReportDoc>;

/** Registers the quality-report history model on a connection. */
export function createQualityReportModel(connection: Connection): QualityReportModel {
  return connection.model<QualityReportDoc>('QualityReport', qualityReportSchema);
}
