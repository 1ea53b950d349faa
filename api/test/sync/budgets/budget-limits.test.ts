import { describe, expect, it } from 'vitest';
import { budgetKeyForSageCompany, budgetKeyPrefixForSageEdition } from '../../../src/sync/budgets/budget-keys.ts';
import { bucketShape, limitsByKeyPrefix, UnknownBudgetKeyError } from '../../../src/sync/budgets/budget-limits.ts';

describe('bucket limits', () => {
  it('size a bucket like InMemoryTokenBucket: a tenth of the minute as burst, refilling what is left of the minute', () => {
    expect(bucketShape({ perMinute: 600 })).toEqual({ capacity: 60, refillPerSecond: 541 / 60 });
    expect(bucketShape({ perMinute: 20, burst: 4 })).toEqual({ capacity: 4, refillPerSecond: 17 / 60 });
    // A burst of one keeps the full rate; a burst above the minute is cut to the minute.
    expect(bucketShape({ perMinute: 5 })).toEqual({ capacity: 1, refillPerSecond: 5 / 60 });
    expect(bucketShape({ perMinute: 30, burst: 100 })).toEqual({ capacity: 30, refillPerSecond: 1 / 60 });
  });

  it('refuse a limit that would meter nothing', () => {
    expect(() => bucketShape({ perMinute: 0 })).toThrow(RangeError);
    expect(() => bucketShape({ perMinute: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => bucketShape({ perMinute: 60, burst: 0 })).toThrow(RangeError);
    expect(() => limitsByKeyPrefix({ 'sage500:': { perMinute: -1 } })).toThrow(RangeError);
  });

  it('are found by the longest matching key prefix, then the fallback', () => {
    const limitFor = limitsByKeyPrefix({ 'sage500:': { perMinute: 600 }, 'sage500:BIG-CO': { perMinute: 1_200 } }, { perMinute: 100 });
    expect(limitFor('sage500:SMALL-CO')).toEqual({ perMinute: 600 });
    expect(limitFor('sage500:BIG-CO')).toEqual({ perMinute: 1_200 });
    expect(limitFor('acct_123')).toEqual({ perMinute: 100 });
  });

  it('throw a typed, non-retryable error for a key nobody configured when there is no fallback', () => {
    const limitFor = limitsByKeyPrefix({ 'sage500:': { perMinute: 600 } });
    expect(() => limitFor('sage50:ACME')).toThrow(UnknownBudgetKeyError);
    expect(() => limitFor('sage50:ACME')).toThrow(expect.objectContaining({ code: 'BUDGET_KEY_UNKNOWN', retryable: false, key: 'sage50:ACME' }));
  });
});

describe('Sage company budget keys', () => {
  it('are the edition and company id, the same rateLimitKey every Sage connector uses', () => {
    expect(budgetKeyForSageCompany('sage500', 'DEMO-500')).toBe('sage500:DEMO-500');
    expect(budgetKeyForSageCompany('sage_accounting', 'biz_1')).toBe('sage_accounting:biz_1');
    expect(budgetKeyForSageCompany('sage_pro', 'P1').startsWith(budgetKeyPrefixForSageEdition('sage_pro'))).toBe(true);
  });

  it('need a company id, so two companies never share one budget by accident', () => {
    expect(() => budgetKeyForSageCompany('sage50', ' ')).toThrow(RangeError);
  });
});
