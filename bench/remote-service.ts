// Starts the Sage sandbox or the Stripe fake in its own worker thread (remote-service-thread.ts)
// and calls into it. Workers do not inherit tsx, so the thread registers it before loading.
import { Worker } from 'node:worker_threads';
import type { RemoteAnswer, RemoteServiceKind } from './remote-service-thread.ts';

export type RemoteService = {
  url: string;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** CPU time of the thread so far (null off Linux). */
  cpuMs(): Promise<number | null>;
  close(): Promise<void>;
};

export async function startRemoteService(kind: RemoteServiceKind): Promise<RemoteService> {
  const entry = new URL('./remote-service-thread.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, {
    eval: true,
    workerData: { kind },
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: RemoteAnswer | { ready: string }) => {
      if ('ready' in message) {
        worker.off('error', reject);
        resolve(message.ready);
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(`${kind}: ${message.error}`));
    });
  });
  worker.on('error', (error) => {
    failure = error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  });

  const call = <T>(method: string, ...args: unknown[]): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args });
    });
  };
  return {
    url,
    call,
    cpuMs: () => call<number | null>('cpuMs'),
    async close() {
      await call('close').catch(() => undefined);
      await worker.terminate();
    },
  };
}
