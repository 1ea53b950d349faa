import type { Integration } from '@sagesync/db';
import type { SyncedObjectType } from './ingest/handled-events.ts';

// The one place where an item can be held for review before it posts. The anomaly issue replaces
// `assessAnomaly` with the per-tenant model (score against `integration.anomalyThreshold`, reasons
// in plain language, a review-queue case); the sync engine only needs its verdict.

export type AnomalyVerdict =
  | { hold: false }
  | {
      hold: true;
      /** 0..1, compared with the integration's threshold. */
      score: number;
      /** What a reviewer reads, one sentence each. */
      reasons: string[];
    };

export type AnomalyInput = {
  integration: Integration;
  /** The Stripe object as just fetched (current state). */
  object: unknown;
  kind: SyncedObjectType;
};

export type AssessAnomaly = (input: AnomalyInput) => Promise<AnomalyVerdict>;

/** Holds nothing yet: replaced by the anomaly model (see the anomaly issue). */
export const assessAnomaly: AssessAnomaly = async () => ({ hold: false });
