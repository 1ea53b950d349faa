import type { Socket } from 'node:net';
import { z } from 'zod';

// Faults a real Sage host shows now and then, on demand per company, so the connectors' retry,
// idempotency and rate-budget code can be tested against them.

export const ZFaultSettings = z
  .object({
    /** Added before every API request of the company is handled. */
    latencyMs: z.number().int().min(0).max(120_000),
    /** Share of requests (0..1) answered 500 without being handled. */
    errorShare: z.number().min(0).max(1),
    /** Share of requests (0..1) whose socket is held open with no answer and nothing stored. */
    timeoutShare: z.number().min(0).max(1),
    /** The next N successful writes are stored, then their socket is destroyed before the answer. */
    commitThenDropNext: z.union([z.boolean(), z.number().int().min(0).max(1000)]).transform((value) => (value === true ? 1 : value === false ? 0 : value)),
    /** Overrides the dialect's per-minute request budget for the company. */
    rateLimitPerMinute: z.number().int().positive(),
  })
  .partial()
  .strict();

export type FaultSettingsInput = z.input<typeof ZFaultSettings>;

export type FaultSettings = { latencyMs: number; errorShare: number; timeoutShare: number; commitThenDropNext: number; rateLimitPerMinute: number | null };

const NO_FAULTS: FaultSettings = { latencyMs: 0, errorShare: 0, timeoutShare: 0, commitThenDropNext: 0, rateLimitPerMinute: null };

const WINDOW_MS = 60_000;

export type GateOutcome = { kind: 'proceed' } | { kind: 'rate_limited'; retryAfterSeconds: number } | { kind: 'server_error' } | { kind: 'timeout' };

export type FaultInjectorOptions = {
  now?: () => number;
  /** Decides which requests the error and timeout shares hit; tests pass a fixed sequence. */
  random?: () => number;
  /** How latency is waited; tests record it instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
};

export class FaultInjector {
  private readonly settings = new Map<string, FaultSettings>();
  private readonly windows = new Map<string, { startedAt: number; count: number }>();
  private readonly held = new Set<Socket>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: FaultInjectorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  settingsFor(companyId: string): FaultSettings {
    return this.settings.get(companyId) ?? NO_FAULTS;
  }

  /** Merges the given settings into the company's current ones. */
  configure(companyId: string, input: FaultSettingsInput): FaultSettings {
    const parsed = ZFaultSettings.parse(input);
    const defined = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    const next = { ...this.settingsFor(companyId), ...defined };
    this.settings.set(companyId, next);
    return next;
  }

  /** Removes every fault and restarts the company's rate window. */
  clear(companyId: string): void {
    this.settings.delete(companyId);
    this.windows.delete(companyId);
  }

  clearAll(): void {
    this.settings.clear();
    this.windows.clear();
  }

  /**
   * Decides what happens to one API request: the rate budget first (a refused request does not
   * spend it), then the added latency, then an injected 500 or timeout.
   */
  async gate(companyId: string, defaultLimitPerMinute: number): Promise<GateOutcome> {
    const settings = this.settingsFor(companyId);
    const limit = settings.rateLimitPerMinute ?? defaultLimitPerMinute;
    const now = this.now();
    let window = this.windows.get(companyId);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(companyId, window);
    }
    if (window.count >= limit) {
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000)) };
    }
    window.count += 1;
    if (settings.latencyMs > 0) await this.sleep(settings.latencyMs);
    if (settings.errorShare > 0 && this.random() < settings.errorShare) return { kind: 'server_error' };
    if (settings.timeoutShare > 0 && this.random() < settings.timeoutShare) return { kind: 'timeout' };
    return { kind: 'proceed' };
  }

  /** True when this successful write's answer must be lost; counts one drop down. */
  takeCommitThenDrop(companyId: string): boolean {
    const settings = this.settings.get(companyId);
    if (!settings || settings.commitThenDropNext <= 0) return false;
    this.settings.set(companyId, { ...settings, commitThenDropNext: settings.commitThenDropNext - 1 });
    return true;
  }

  /** Keeps a timed-out request's socket open until the client gives up or the sandbox closes. */
  hold(socket: Socket): void {
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
  }

  get heldCount(): number {
    return this.held.size;
  }

  releaseHeld(): void {
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }
}
