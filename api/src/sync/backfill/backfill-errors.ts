/** Why a backfill request was refused; the message is meant for the admin who asked. */
export type BackfillRequestErrorCode =
  | 'BACKFILL_INTEGRATION_NOT_FOUND'
  | 'BACKFILL_NOT_STRIPE'
  | 'BACKFILL_RANGE_EMPTY'
  | 'BACKFILL_RANGE_IN_FUTURE'
  | 'BACKFILL_TIME_ZONE_INVALID'
  | 'BACKFILL_RUN_NOT_FOUND';

export class BackfillRequestError extends Error {
  override readonly name = 'BackfillRequestError';
  readonly retryable = false;
  constructor(
    readonly code: BackfillRequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Another runner saved a page of this segment between our read of its cursor and our save: two
 * processes are working on one run. Ours stops without enqueueing its page, so nothing goes twice.
 */
export class BackfillRunBusyError extends Error {
  override readonly name = 'BackfillRunBusyError';
  readonly code = 'BACKFILL_RUN_BUSY';
  readonly retryable = true;
  constructor(readonly runId: string) {
    super(`Backfill ${runId} is being run by another process; this one stopped without enqueueing anything twice.`);
  }
}
