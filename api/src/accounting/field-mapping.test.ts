import { defaultFieldMappings } from '@sagesync/db';
import { describe, expect, it } from 'vitest';
import { applyFieldMapping } from './field-mapping.ts';

const chicago = { timeZone: 'America/Chicago' };
const charge = {
  id: 'ch_1',
  amount: 1999,
  currency: 'usd',
  created: Date.parse('2026-02-01T05:30:00Z') / 1000,
  description: 'Order 1001',
  payment_method_details: { type: 'card' },
  metadata: { erp_invoice_number: 'INV-77' },
  billing_details: { name: '  Ada Lovelace  ', address: { line1: '1 Main St', city: 'Chicago' } },
};

describe('field mapping', () => {
  it('maps a USD charge with the default Sage 500 receipt template: decimal amount, local date, mapped method', () => {
    const receipt = defaultFieldMappings('sage500').find((m) => m.documentType === 'cash_receipt')!;
    const result = applyFieldMapping(receipt.definition, charge, chicago);
    expect(result.errors).toEqual([]);
    expect(result.values).toMatchObject({
      reference: 'ch_1',
      date: '2026-01-31',
      amount: '19.99',
      currency: 'USD',
      paymentMethod: 'Credit Card',
      invoiceNumber: 'INV-77',
      memo: 'Order 1001',
    });
  });

  it('converts zero- and three-decimal currencies by their exponent', () => {
    const definition = { fields: [{ target: 'amount', source: 'amount', transforms: [{ kind: 'minor_to_decimal' }] }] };
    expect(applyFieldMapping(definition, { amount: 500, currency: 'jpy' }, chicago).values.amount).toBe('500');
    expect(applyFieldMapping(definition, { amount: 1250, currency: 'bhd' }, chicago).values.amount).toBe('1.250');
  });

  it('concatenates, splits, trims, changes case and fills defaults', () => {
    const definition = {
      fields: [
        { target: 'name', source: 'billing_details.name', transforms: [{ kind: 'trim' }, { kind: 'upper' }] },
        { target: 'address', source: 'billing_details.address.line1', transforms: [{ kind: 'concat', with: ['billing_details.address.city', { literal: 'USA' }], separator: ', ' }] },
        { target: 'first', source: 'billing_details.name', transforms: [{ kind: 'trim' }, { kind: 'split', separator: ' ', index: 0 }, { kind: 'lower' }] },
        { target: 'phone', source: 'billing_details.phone', transforms: [{ kind: 'default', value: 'n/a' }] },
      ],
    };
    expect(applyFieldMapping(definition, charge, chicago).values).toEqual({
      name: 'ADA LOVELACE',
      address: '1 Main St, Chicago, USA',
      first: 'ada',
      phone: 'n/a',
    });
  });

  it('truncates to the dialect length and warns instead of failing', () => {
    const definition = { fields: [{ target: 'name', source: 'name', transforms: [{ kind: 'truncate', maxLength: 5 }] }] };
    const result = applyFieldMapping(definition, { name: 'Lovelace Ltd' }, chicago);
    expect(result.values.name).toBe('Lovel');
    expect(result.warnings).toEqual([{ target: 'name', message: 'cut to 5 characters (was 12)' }]);
  });

  it('populates a field only when its condition holds', () => {
    const definition = {
      fields: [{ target: 'invoice', source: 'metadata.erp_invoice_number', transforms: [{ kind: 'only_if', path: 'metadata.erp_invoice_number' }, { kind: 'default', value: 'never' }] }],
    };
    expect(applyFieldMapping(definition, charge, chicago).values.invoice).toBe('INV-77');
    expect(applyFieldMapping(definition, { metadata: {} }, chicago).values.invoice).toBeNull();
  });

  it('reports field-level errors: a missing required field, an object where a value belongs, a bad amount', () => {
    const definition = {
      fields: [
        { target: 'email', source: 'email', required: true, transforms: [] },
        { target: 'address', source: 'billing_details.address', transforms: [] },
        { target: 'amount', source: 'description', transforms: [{ kind: 'minor_to_decimal' }] },
      ],
    };
    const result = applyFieldMapping(definition, charge, chicago);
    expect(result.errors.map((e) => e.target)).toEqual(['email', 'address', 'amount']);
    expect(result.errors[0]!.message).toMatch(/email is empty/);
  });

  it('reports a malformed mapping instead of throwing', () => {
    const result = applyFieldMapping({ fields: [{ target: 'x', source: 'bad path!', transforms: [] }] }, charge, chicago);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/names separated by dots/);
  });
});
