// `npm run bench [-- [--repeat N] [name ...]]`: runs every bench/*-bench.ts (or those whose file
// name contains one of the given names) with tsx, one at a time, each in its own process. Each bench
// writes its figures as JSON to the file named by BENCH_RESULT_FILE ({ "<bench>": { metric: value } }).
// With --repeat N each bench runs N times and every numeric figure is the median of its runs.
// The figures are merged into bench/results/latest.json (figures of benches not run this time are
// kept) and printed as a table. These are benchmarks, not tests: a bench fails only when its own
// verification fails (for example, an event stored twice), and then this exits non-zero.
/* global process, console */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const LATEST = path.join(RESULTS_DIR, 'latest.json');

function parseArgs(argv) {
  const names = [];
  let repeat = 1;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--repeat') {
      repeat = Number(argv[index + 1]);
      index += 1;
    } else if (arg.startsWith('--repeat=')) {
      repeat = Number(arg.slice('--repeat='.length));
    } else {
      names.push(arg);
    }
  }
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat takes a whole number of runs, at least 1');
  return { names, repeat };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(value * 1000) / 1000;
}

const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One figure from several runs: numbers by median, flags only if every run had them, objects key by key, the rest from the last run. */
function combineValues(values) {
  if (values.every((value) => typeof value === 'number')) return median(values);
  if (values.every((value) => typeof value === 'boolean')) return values.every(Boolean);
  if (values.every(isPlainObject)) {
    const combined = {};
    for (const key of new Set(values.flatMap((value) => Object.keys(value)))) {
      combined[key] = combineValues(values.map((value) => value[key]).filter((value) => value !== undefined));
    }
    return combined;
  }
  return values.at(-1);
}


function runBench(file) {
  const resultFile = path.join(os.tmpdir(), `bench-${process.pid}-${path.basename(file, '.ts')}-${Date.now()}.json`);
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BENCH_RESULT_FILE: resultFile },
  });
  const seconds = (Date.now() - started) / 1000;
  let figures = null;
  if (fs.existsSync(resultFile)) {
    figures = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    fs.rmSync(resultFile, { force: true });
  }
  return { ok: child.status === 0 && figures !== null, status: child.status ?? child.signal, figures, seconds };
}

/** Benches report flat figures ("ingest.p99_ms") and nested details ({ ingest: { p99_ms } }); each name is printed once. */
function printTable(results) {
  const rows = new Map();
  const visit = (prefix, value) => {
    if (isPlainObject(value)) for (const [key, inner] of Object.entries(value)) visit(prefix ? `${prefix}.${key}` : key, inner);
    else if (!rows.has(prefix)) rows.set(prefix, Array.isArray(value) ? JSON.stringify(value) : String(value));
  };
  visit('', results);
  const width = Math.max(6, ...[...rows.keys()].map((name) => name.length));
  console.log(`\n${'metric'.padEnd(width)}  value`);
  console.log(`${'-'.repeat(width)}  ${'-'.repeat(24)}`);
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

const { names, repeat } = parseArgs(process.argv.slice(2));
const files = fs
  .readdirSync(BENCH_DIR)
  .filter((file) => file.endsWith('-bench.ts'))
  .filter((file) => names.length === 0 || names.some((name) => file.includes(name)))
  .sort();
if (files.length === 0) {
  console.error(`No bench matches ${names.join(', ') || '(any)'} in ${BENCH_DIR}.`);
  process.exit(1);
}

const failed = [];
const ran = [];
const fresh = {};
for (const file of files) {
  const runs = [];
  for (let run = 1; run <= repeat; run += 1) {
    console.log(`\n━━ ${file}${repeat > 1 ? ` (run ${run} of ${repeat})` : ''}`);
    const outcome = runBench(path.join(BENCH_DIR, file));
    if (!outcome.ok) {
      failed.push(`${file} (exit ${outcome.status})`);
      break;
    }
    runs.push(outcome.figures);
  }
  if (runs.length === repeat) {
    Object.assign(fresh, combineValues(runs));
    ran.push(file);
  }
}

const previous = fs.existsSync(LATEST) ? JSON.parse(fs.readFileSync(LATEST, 'utf8')) : {};
const results = {
  ...previous,
  ...fresh,
  meta: {
    generated_at: new Date().toISOString(),
    benches: ran,
    runs_per_bench: repeat,
    database: process.env.DATABASE_URL ? 'postgresql (DATABASE_URL)' : 'pglite (embedded)',
    node: process.version,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    load_average_1m: Math.round(os.loadavg()[0] * 100) / 100,
  },
};
fs.mkdirSync(RESULTS_DIR, { recursive: true });
fs.writeFileSync(LATEST, `${JSON.stringify(results, null, 2)}\n`);
printTable(fresh);
console.log(`\nWrote ${path.relative(ROOT, LATEST)}.`);
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
