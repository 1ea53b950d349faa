import type { SageEdition } from '../../generated/client/client.ts';
import type { FieldMappingDefinition } from '../json/field-mapping.ts';
import type { GlAccounts, GlCondition } from '../json/gl-rule.ts';

// Starting points for a new integration, per Sage edition: field lengths follow each dialect, and
// the GL accounts follow the chart each edition ships with (and the sandbox's demo companies),
// receivables included: the accounts-receivable control account its invoices debit; and sales_tax,
// the sales tax payable liability its invoices' tax lines credit.

export const DEFAULT_GL_ACCOUNTS: Record<SageEdition, Required<GlAccounts>> = {
  sage500: { clearing: '1150-00', bank: '1010-00', revenue: '4000-00', fees: '6150-00', refunds: '4050-00', disputes: '6160-00', fx: '7900-00', adjustments: '6190-00', receivables: '1200-00', sales_tax: '2100-00' },
  sage_pro: { clearing: '1150', bank: '1010', revenue: '4000', fees: '6150', refunds: '4050', disputes: '6160', fx: '7900', adjustments: '6190', receivables: '1200', sales_tax: '2100' },
  sage50: { clearing: '10500', bank: '10200', revenue: '40000', fees: '61500', refunds: '40500', disputes: '61600', fx: '79000', adjustments: '61900', receivables: '11000', sales_tax: '23100' },
  sage_accounting: { clearing: '1210', bank: '1200', revenue: '4000', fees: '7600', refunds: '4009', disputes: '7601', fx: '7900', adjustments: '8200', receivables: '1100', sales_tax: '2200' },
};

/** Maximum customer-name length per dialect; longer names are truncated, and the preview says so. */
const NAME_LENGTH: Record<SageEdition, number> = { sage500: 40, sage_pro: 50, sage50: 39, sage_accounting: 100 };

export function defaultFieldMappings(edition: SageEdition): { documentType: 'customer' | 'cash_receipt'; definition: FieldMappingDefinition }[] {
  return [
    {
      documentType: 'customer',
      definition: {
        fields: [
          { target: 'name', source: 'name', required: true, transforms: [{ kind: 'trim' }, { kind: 'default', value: 'Stripe customer' }, { kind: 'truncate', maxLength: NAME_LENGTH[edition] }] },
          { target: 'email', source: 'email', required: false, transforms: [{ kind: 'trim' }, { kind: 'lower' }] },
          { target: 'addressLine1', source: 'address.line1', required: false, transforms: [{ kind: 'truncate', maxLength: 40 }] },
          { target: 'city', source: 'address.city', required: false, transforms: [{ kind: 'truncate', maxLength: 30 }] },
          { target: 'state', source: 'address.state', required: false, transforms: [{ kind: 'upper' }, { kind: 'truncate', maxLength: 20 }] },
          { target: 'postalCode', source: 'address.postal_code', required: false, transforms: [{ kind: 'truncate', maxLength: 10 }] },
          { target: 'phone', source: 'phone', required: false, transforms: [{ kind: 'truncate', maxLength: 20 }] },
        ],
      },
    },
    {
      documentType: 'cash_receipt',
      definition: {
        fields: [
          { target: 'reference', source: 'id', required: true, transforms: [] },
          { target: 'date', source: 'created', required: true, transforms: [{ kind: 'unix_to_local_date' }] },
          { target: 'amount', source: 'amount', required: true, transforms: [{ kind: 'minor_to_decimal', currencyPath: 'currency' }] },
          { target: 'currency', source: 'currency', required: true, transforms: [{ kind: 'upper' }] },
          { target: 'paymentMethod', source: 'payment_method_details.type', required: false, transforms: [{ kind: 'value_map', map: { card: 'Credit Card', us_bank_account: 'ACH' }, fallback: 'Stripe' }] },
          { target: 'invoiceNumber', source: 'metadata.erp_invoice_number', required: false, transforms: [] },
          { target: 'memo', source: 'description', required: false, transforms: [{ kind: 'default', value: 'Stripe payment' }, { kind: 'truncate', maxLength: 60 }] },
        ],
      },
    },
  ];
}

export function defaultGlRules(edition: SageEdition): { name: string; conditions: GlCondition[]; accounts: GlAccounts }[] {
  const accounts = DEFAULT_GL_ACCOUNTS[edition];
  return [
    { name: 'Refunds out of clearing', conditions: [{ field: 'reporting_category', in: ['refund', 'refund_failure'] }], accounts: { refunds: accounts.refunds } },
    { name: 'Disputes out of clearing', conditions: [{ field: 'reporting_category', in: ['dispute', 'dispute_reversal'] }], accounts: { disputes: accounts.disputes } },
    { name: 'Default accounts', conditions: [], accounts },
  ];
}
