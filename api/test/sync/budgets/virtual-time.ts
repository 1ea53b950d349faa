// A clock for several simulated workers that moves only when every one of them is asleep: then it
// jumps to the earliest wake-up. While any worker is between sleeps (talking to the database) time
// stands still, so each grant happens at one well-defined instant and the tests never wait for real.
//
// A participant is one stream of work that sleeps at most once at a time: one bucket instance and
// one key (the bucket queues its callers per key, so they never sleep side by side).

type Timer = { at: number; wake: () => void };

export class VirtualTime {
  private timers: Timer[] = [];
  private running = 0;
  private current: number;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  readonly now = (): number => this.current;

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((wake) => {
      this.timers.push({ at: this.current + ms, wake });
      this.advanceIfAllAsleep();
    });

  /** Runs the participants side by side under this clock and returns their results. */
  async run<T>(participants: Array<() => Promise<T>>): Promise<T[]> {
    this.running += participants.length;
    return Promise.all(
      participants.map(async (participant) => {
        try {
          return await participant();
        } finally {
          this.running -= 1;
          this.advanceIfAllAsleep();
        }
      }),
    );
  }

  private advanceIfAllAsleep(): void {
    if (this.timers.length === 0 || this.timers.length < this.running) return;
    const next = Math.min(...this.timers.map((timer) => timer.at));
    this.current = Math.max(this.current, next);
    const due = this.timers.filter((timer) => timer.at <= this.current);
    this.timers = this.timers.filter((timer) => timer.at > this.current);
    for (const timer of due) timer.wake();
  }
}

/** The most grants inside any window of `windowMs` (half-open: [t, t + windowMs)). */
export function busiestWindow(grantTimes: number[], windowMs = 60_000): number {
  const times = [...grantTimes].sort((a, b) => a - b);
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while (times[last]! - times[first]! >= windowMs) first += 1;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}
