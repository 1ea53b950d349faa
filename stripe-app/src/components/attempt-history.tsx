import { Box, Inline, List, ListItem } from '@stripe/ui-extension-sdk/ui';
import type { SyncAttempt } from '../api/contract';
import { formatTimestamp } from '../dates/format-timestamp';
import { ATTEMPT_OUTCOME_LABEL } from './sync-status-text';

/** Every attempt to post the charge, newest first, with the error that stopped a failed one. */
export function AttemptHistory({ attempts, locale }: { attempts: SyncAttempt[]; locale: string }) {
  if (attempts.length === 0) {
    return <Inline css={{ color: 'secondary' }}>No sync attempts yet.</Inline>;
  }
  const newestFirst = [...attempts].sort((a, b) => b.number - a.number);
  return (
    <Box css={{ stack: 'y', gap: 'xsmall' }}>
      <Inline css={{ font: 'subheading' }}>Attempt history</Inline>
      <List>
        {newestFirst.map((attempt) => (
          <ListItem
            key={attempt.number}
            id={`attempt-${attempt.number}`}
            title={`Attempt ${attempt.number}: ${ATTEMPT_OUTCOME_LABEL[attempt.outcome]}`}
            secondaryTitle={formatTimestamp(attempt.at, locale)}
            value={attempt.error ? attempt.error.message : undefined}
          />
        ))}
      </List>
    </Box>
  );
}
