// Starts the product's processes, prefixes their output, waits until each is healthy, and stops
// them all (SIGTERM, then SIGKILL after a grace period) when asked or when one of them dies.
import { spawn } from 'node:child_process';
import { ROOT } from './paths.mjs';
import { QUIET_ENV } from './setup-steps.mjs';

const COLORS = [36, 35, 33, 32, 34, 31];

export class Supervisor {
  children = [];
  stopping = false;

  constructor({ onUnexpectedExit } = {}) {
    this.onUnexpectedExit = onUnexpectedExit;
  }

  start({ name, command, args, env, cwd = ROOT }) {
    const color = COLORS[this.children.length % COLORS.length];
    const label = `\u001b[${color}m${name.padEnd(7)}\u001b[0m│ `;
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...QUIET_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so stopping it stops what it spawned too
    });
    const prefix = (stream, out) => {
      let pending = '';
      stream.on('data', (chunk) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const line of lines) out.write(label + line + '\n');
      });
    };
    prefix(child.stdout, process.stdout);
    prefix(child.stderr, process.stderr);
    const entry = { name, child, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
    entry.exited.then(({ code, signal }) => {
      if (!this.stopping) this.onUnexpectedExit?.(name, code ?? signal);
    });
    this.children.push(entry);
    return entry;
  }

  async stop(graceMs = 10_000) {
    this.stopping = true;
    await Promise.all(
      this.children.map(async ({ child, exited }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Polls url until it answers 2xx, or fails with the name of what did not come up. */
export async function waitForHttp(name, url, { timeoutMs = 180_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${name} exited before it answered on ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} did not answer on ${url} within ${timeoutMs / 1000}s (${lastProblem})`);
}
