import { Badge, Box, Inline } from '@stripe/ui-extension-sdk/ui';
import type { IntegrationHealth } from '../api/contract';
import { formatTimestamp } from '../dates/format-timestamp';
import { SAGE_EDITION_LABEL } from './sage-labels';

const HEALTH_BADGE = {
  healthy: { label: 'Healthy', type: 'positive' },
  degraded: { label: 'Degraded', type: 'warning' },
  down: { label: 'Down', type: 'negative' },
} as const;

/** The integration at a glance: state, Sage edition, and when something last reached Sage. */
export function IntegrationHealthSummary({ integration, locale }: { integration: IntegrationHealth | null; locale: string }) {
  if (!integration) {
    return (
      <Box css={{ stack: 'y', gap: 'xsmall' }}>
        <Badge type="neutral">Not connected</Badge>
        <Inline>No Sage company is connected yet. An admin connects one in the Sage Sync portal.</Inline>
      </Box>
    );
  }
  const badge = HEALTH_BADGE[integration.state];
  return (
    <Box css={{ stack: 'y', gap: 'xsmall' }}>
      <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
        <Badge type={badge.type}>{badge.label}</Badge>
        <Inline css={{ font: 'bodyEmphasized' }}>{SAGE_EDITION_LABEL[integration.sageEdition]}</Inline>
      </Box>
      <Inline css={{ font: 'caption', color: 'secondary' }}>
        {integration.lastSyncAt ? `Last sync ${formatTimestamp(integration.lastSyncAt, locale)}` : 'Nothing synced yet'}
      </Inline>
      {integration.message ? <Inline>{integration.message}</Inline> : null}
    </Box>
  );
}
