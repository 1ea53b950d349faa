import type { DocumentType, JournalLine } from './ledger-model.ts';
import type { FieldPath } from './ledger-rejection.ts';

// How each document moves money between accounts. A real ERP posts these lines behind the
// document; the sandbox does the same so account balances (and so reconciliation) are real.

export type ItemLine = { account: string; amountMinor: number; memo: string | null };

export type PostingInstruction =
  /** Does not post; its lines only give it an amount. */
  | { type: 'sales_order'; lines: ItemLine[] }
  /** Debit receivables, credit each line's account (a negative line, e.g. a discount, debits it). */
  | { type: 'invoice'; lines: ItemLine[] }
  /**
   * Debit each line's account, credit receivables; or, with a settlement account, credit that
   * account instead (a refund paid straight out of cash or the Stripe clearing account).
   */
  | { type: 'credit_memo'; lines: ItemLine[]; settlementAccount: string | null }
  /** Debit the cash (or clearing) account, credit receivables. */
  | { type: 'cash_receipt'; amountMinor: number; cashAccount: string; memo: string | null }
  /** Debit receivables, credit the cash (or clearing) account. */
  | { type: 'customer_refund'; amountMinor: number; cashAccount: string; memo: string | null }
  /** Lines as given; they must balance. */
  | { type: 'journal'; lines: JournalLine[] };

export type Posting = { type: DocumentType; amountMinor: number; lines: JournalLine[] };

function sideOf(account: string, signedDebitMinor: number, memo: string | null): JournalLine {
  return signedDebitMinor >= 0
    ? { account, debitMinor: signedDebitMinor, creditMinor: 0, memo }
    : { account, debitMinor: 0, creditMinor: -signedDebitMinor, memo };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export function buildPosting(instruction: PostingInstruction, receivablesAccount: string): Posting {
  switch (instruction.type) {
    case 'sales_order':
      return { type: 'sales_order', amountMinor: sum(instruction.lines.map((line) => line.amountMinor)), lines: [] };
    case 'invoice': {
      const total = sum(instruction.lines.map((line) => line.amountMinor));
      const lines = [
        sideOf(receivablesAccount, total, null),
        ...instruction.lines.filter((line) => line.amountMinor !== 0).map((line) => sideOf(line.account, -line.amountMinor, line.memo)),
      ];
      return { type: 'invoice', amountMinor: total, lines };
    }
    case 'credit_memo': {
      const total = sum(instruction.lines.map((line) => line.amountMinor));
      const lines = [
        ...instruction.lines.filter((line) => line.amountMinor !== 0).map((line) => sideOf(line.account, line.amountMinor, line.memo)),
        sideOf(instruction.settlementAccount ?? receivablesAccount, -total, null),
      ];
      return { type: 'credit_memo', amountMinor: total, lines };
    }
    case 'cash_receipt':
      return {
        type: 'cash_receipt',
        amountMinor: instruction.amountMinor,
        lines: [sideOf(instruction.cashAccount, instruction.amountMinor, instruction.memo), sideOf(receivablesAccount, -instruction.amountMinor, instruction.memo)],
      };
    case 'customer_refund':
      return {
        type: 'customer_refund',
        amountMinor: instruction.amountMinor,
        lines: [sideOf(receivablesAccount, instruction.amountMinor, instruction.memo), sideOf(instruction.cashAccount, -instruction.amountMinor, instruction.memo)],
      };
    case 'journal':
      return { type: 'journal', amountMinor: sum(instruction.lines.map((line) => line.debitMinor)), lines: instruction.lines };
  }
}

/** Every account the instruction names, with where it was named, so an unknown one is reported on its field. */
export function accountsNamedBy(instruction: PostingInstruction): { code: string; path: FieldPath }[] {
  switch (instruction.type) {
    case 'sales_order':
    case 'invoice':
      return instruction.lines.map((line, index) => ({ code: line.account, path: ['lines', index, 'account'] }));
    case 'credit_memo':
      return [
        ...instruction.lines.map((line, index) => ({ code: line.account, path: ['lines', index, 'account'] })),
        ...(instruction.settlementAccount === null ? [] : [{ code: instruction.settlementAccount, path: ['settlementAccount'] }]),
      ];
    case 'cash_receipt':
    case 'customer_refund':
      return [{ code: instruction.cashAccount, path: ['cashAccount'] }];
    case 'journal':
      return instruction.lines.map((line, index) => ({ code: line.account, path: ['lines', index, 'account'] }));
  }
}
