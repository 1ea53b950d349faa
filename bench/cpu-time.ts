// CPU time, for benches on a shared machine: wall-clock rates move with whatever else runs, while
// the CPU one unit of work costs (here, in this thread, in PostgreSQL's backends) barely does.
// Linux only (/proc); elsewhere every reading is null and the bench reports rates alone.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK).

/** utime + stime of a /proc stat line, in ms; the command name (field 2) may hold spaces, so fields are counted after its ")". */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at offsets 11 and 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function readCpuMs(path: string): number | null {
  try {
    return statCpuMs(fs.readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** CPU time of the calling thread (main thread or a worker thread). */
export const threadCpuMs = (): number | null => readCpuMs('/proc/thread-self/stat');

/** CPU time of the whole process, every thread included. */
export const processCpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** CPU time of the given processes (PostgreSQL backends on this machine); null when none can be read. */
export function processesCpuMs(pids: number[]): number | null {
  let total = 0;
  let read = 0;
  for (const pid of pids) {
    const ms = readCpuMs(`/proc/${pid}/stat`);
    if (ms === null) continue;
    total += ms;
    read += 1;
  }
  return read > 0 ? total : null;
}
