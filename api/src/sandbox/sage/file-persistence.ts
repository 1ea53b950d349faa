import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

// Optional persistence of the sandbox's books (and OAuth grants, so a restart does not force the
// product to reconnect) to one JSON file. Writes are coalesced and go through a temporary file
// and a rename, so a crash leaves the previous state, never half a file.

export const ZSandboxFile = z.object({ ledger: z.unknown(), oauth: z.unknown() });
export type SandboxFile = z.infer<typeof ZSandboxFile>;

export function readSandboxFile(path: string): SandboxFile | undefined {
  if (!existsSync(path)) return undefined;
  return ZSandboxFile.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export type SandboxFileWriter = { schedule(): void; flush(): void };

export function createSandboxFileWriter(path: string, snapshot: () => SandboxFile, delayMs = 50): SandboxFileWriter {
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot()));
    renameSync(temporary, path);
  };
  return {
    schedule() {
      if (timer) return;
      timer = setTimeout(flush, delayMs);
      timer.unref();
    },
    flush,
  };
}
