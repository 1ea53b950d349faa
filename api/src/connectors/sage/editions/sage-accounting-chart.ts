import { ZCloudBankAccount, ZCloudLedgerAccount, type CloudBankAccount } from './sage-accounting-wire.ts';

// Sage Accounting names ledger and bank accounts by 32-hex ids, while GL rules speak nominal
// codes ("4000", "1210"). This resolves codes to ids once per connector. A miss or a failure is
// not remembered: an admin may add the account, and Sage may answer next time.

/** Every item of a list, following `$next` page after page. */
export type CloudLister = (path: string, query: Record<string, string>, action: string) => AsyncIterable<unknown>;

export class SageAccountingChart {
  private readonly ledgerIds = new Map<string, Promise<string | null>>();
  private bankAccounts: Promise<CloudBankAccount[]> | null = null;

  constructor(private readonly list: CloudLister) {}

  /** The ledger account id for a nominal code, or null when the chart has no such code. */
  ledgerAccountId(code: string): Promise<string | null> {
    const cached = this.ledgerIds.get(code);
    if (cached) return cached;
    const pending = this.searchLedgerAccount(code);
    this.ledgerIds.set(code, pending);
    pending.then(
      (id) => {
        if (id === null) this.ledgerIds.delete(code);
      },
      () => this.ledgerIds.delete(code),
    );
    return pending;
  }

  /** The bank account whose ledger account has this nominal code, or null when there is none. */
  async bankAccountId(code: string): Promise<string | null> {
    const known = await this.findBank(code);
    if (known) return known;
    // A bank account added since we last listed them: list once more before giving up.
    this.bankAccounts = null;
    return this.findBank(code);
  }

  private async searchLedgerAccount(code: string): Promise<string | null> {
    // `search` matches codes and names loosely (4000 also finds 40000): only an exact code counts.
    for await (const item of this.list('/ledger_accounts', { search: code, attributes: 'nominal_code' }, `Finding GL account ${code}`)) {
      const account = ZCloudLedgerAccount.safeParse(item);
      if (account.success && account.data.nominal_code === code) return account.data.id;
    }
    return null;
  }

  private async findBank(code: string): Promise<string | null> {
    const banks = await this.listBanks();
    const byCode = banks.find((bank) => bank.nominal_code === code);
    if (byCode) return byCode.id;
    if (banks.every((bank) => bank.nominal_code)) return null;
    // Bank accounts that do not show their nominal code are matched through their ledger account.
    const ledgerId = await this.ledgerAccountId(code);
    return ledgerId === null ? null : (banks.find((bank) => bank.ledger_account?.id === ledgerId)?.id ?? null);
  }

  private listBanks(): Promise<CloudBankAccount[]> {
    if (!this.bankAccounts) {
      const pending = (async () => {
        const banks: CloudBankAccount[] = [];
        for await (const item of this.list('/bank_accounts', { attributes: 'all' }, 'Listing bank accounts')) {
          const bank = ZCloudBankAccount.safeParse(item);
          if (bank.success) banks.push(bank.data);
        }
        return banks;
      })();
      this.bankAccounts = pending;
      pending.catch(() => {
        if (this.bankAccounts === pending) this.bankAccounts = null;
      });
    }
    return this.bankAccounts;
  }
}
