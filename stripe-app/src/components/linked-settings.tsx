import { Badge, Box, Inline, Link } from '@stripe/ui-extension-sdk/ui';
import type { SettingsResult } from '../api/contract';
import { POSTING_MODE_LABEL, SAGE_EDITION_LABEL } from './sage-labels';

const CONNECTION_BADGE = {
  connected: { label: 'Connected', type: 'positive' },
  error: { label: 'Connection error', type: 'negative' },
  disconnected: { label: 'Disconnected', type: 'warning' },
} as const;

const INTEGRATION_STATUS_TEXT = {
  paused: 'Syncing is paused: nothing is posted to Sage until an admin resumes it in the portal.',
  disconnected: 'The integration is disconnected: nothing is posted to Sage until an admin reconnects it in the portal.',
} as const;

/** Settings once the account is linked: which organization, the Sage connection, the posting mode. */
export function LinkedSettings({ settings }: { settings: SettingsResult }) {
  const { connection } = settings;
  return (
    <Box css={{ stack: 'y', gap: 'large' }}>
      <Box css={{ stack: 'y', gap: 'xsmall' }}>
        <Inline css={{ font: 'subheading' }}>Sage Sync organization</Inline>
        <Inline>
          {settings.organizationName
            ? `This Stripe account is linked to ${settings.organizationName}.`
            : 'This Stripe account is linked.'}
        </Inline>
        {settings.integrationStatus && settings.integrationStatus !== 'active' ? (
          <Inline>{INTEGRATION_STATUS_TEXT[settings.integrationStatus]}</Inline>
        ) : null}
      </Box>
      <Box css={{ stack: 'y', gap: 'xsmall' }}>
        <Inline css={{ font: 'subheading' }}>Sage connection</Inline>
        {connection ? (
          <Box css={{ stack: 'y', gap: 'xxsmall' }}>
            <Box css={{ stack: 'x', gap: 'small', alignY: 'center' }}>
              <Badge type={CONNECTION_BADGE[connection.state].type}>{CONNECTION_BADGE[connection.state].label}</Badge>
              <Inline>
                {SAGE_EDITION_LABEL[connection.sageEdition]}
                {connection.companyName ? ` · ${connection.companyName}` : ''}
              </Inline>
            </Box>
            {connection.message ? <Inline>{connection.message}</Inline> : null}
          </Box>
        ) : (
          <Inline>No Sage company is connected yet. An admin connects one in the portal.</Inline>
        )}
      </Box>
      <Box css={{ stack: 'y', gap: 'xsmall' }}>
        <Inline css={{ font: 'subheading' }}>Posting mode</Inline>
        <Inline>{settings.postingMode ? POSTING_MODE_LABEL[settings.postingMode] : 'Not set yet.'}</Inline>
      </Box>
      {settings.portalUrl ? (
        <Link href={settings.portalUrl} target="_blank" external>
          Change these in the Sage Sync portal
        </Link>
      ) : null}
    </Box>
  );
}
