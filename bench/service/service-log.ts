/**
 * The service child's output (stdout and stderr, line by line): every line is written to a file in
 * the run's data directory (kept with `--keep`), the first few are shown, and the lines are
 * counted by class, so that a phase can count what the service logged while it ran (the overload
 * run's "no error lines in the log").
 *
 * An error line is a JSON log line (pino) with level error or fatal (`level` >= 50 or its label),
 * or a line that is not JSON with a level at all (a stack trace or a message written around the logger). Warnings (`level` 40) are
 * counted apart.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

const SHOWN_LINES = 10;
const KEPT_SAMPLES = 5;

export interface LogCounts {
  lines: number;
  warnLines: number;
  errorLines: number;
}

export interface LogDelta extends LogCounts {
  /** The first error lines of the interval (at most 5, cut at 300 characters). */
  errorSamples: string[];
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** pino's level of a JSON line (a number, or its label as the service's formatter writes it). */
function levelOf(line: string): number | 'not-json' {
  if (!line.startsWith('{')) return 'not-json';
  try {
    const parsed: unknown = JSON.parse(line);
    const level = (parsed as { level?: unknown }).level;
    if (typeof level === 'number') return level;
    if (typeof level === 'string' && level in LEVELS) return LEVELS[level];
    return 'not-json';
  } catch {
    return 'not-json';
  }
}

export class ServiceLog {
  private readonly counts: LogCounts = { lines: 0, warnLines: 0, errorLines: 0 };
  /** The error lines' text in order (after the first 20,000 only their place). */
  private readonly errors: string[] = [];
  private readonly file: WriteStream | undefined;

  constructor(
    private readonly show: (line: string) => void,
    filePath?: string,
  ) {
    this.file = filePath ? createWriteStream(filePath, { flags: 'a' }) : undefined;
  }

  readonly onLine = (line: string): void => {
    if (!line.trim()) return;
    this.file?.write(line + '\n');
    this.counts.lines++;
    if (this.counts.lines <= SHOWN_LINES) this.show(`  service log: ${line.slice(0, 300)}`);
    else if (this.counts.lines === SHOWN_LINES + 1)
      this.show('  service log: (further lines are counted and written to the log file, not shown)');
    const level = levelOf(line);
    if (level === 'not-json' || level >= 50) {
      this.counts.errorLines++;
      this.errors.push(this.errors.length < 20_000 ? line.slice(0, 300) : '');
    } else if (level >= 40) this.counts.warnLines++;
  };

  mark(): LogCounts {
    return { ...this.counts };
  }

  since(mark: LogCounts): LogDelta {
    return {
      lines: this.counts.lines - mark.lines,
      warnLines: this.counts.warnLines - mark.warnLines,
      errorLines: this.counts.errorLines - mark.errorLines,
      errorSamples: this.errors.slice(mark.errorLines).filter(Boolean).slice(0, KEPT_SAMPLES),
    };
  }

  close(): void {
    this.file?.end();
  }
}
