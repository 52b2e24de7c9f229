// A progress bar for long work (a simulation, a flash, a spore fetch; cli-progress), shown only to a person at a terminal:
// when the output stream is not a TTY (CI logs, pipes) or --quiet is given, every call is a
// no-op, so logs never fill with progress spam.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Whether a bar is being drawn. */
  readonly active: boolean;
  /** Report progress (same unit as total); `info` is a short status such as the current error. */
  update(value: number, info?: string): void;
  /** Finish the bar and leave the terminal clean. Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** The value at completion, e.g. the run's duration in simulated seconds. */
  total: number;
  label?: string;
  /** Unit shown after value/total, e.g. "s simulated". */
  unit?: string;
  quiet?: boolean;
  /** Where the bar is drawn; default stderr, so stdout stays clean for JSON. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Share of the total that must pass between redraw requests: update() may be called per event. */
const MIN_STEP = 0.001;

const SILENT: Progress = { active: false, update() {}, stop() {} };

export function createProgress(opts: ProgressOptions): Progress {
  const { total } = opts;
  if (!(total > 0) || !Number.isFinite(total)) throw new RangeError(`progress total must be a positive number, got ${total}`);
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || stream.isTTY !== true) return SILENT;

  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${opts.label ?? 'simulating'} |{bar}| {percentage}% | {value}/{total} ${opts.unit ?? ''} | {info} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? String(Math.round(v)) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  let last = 0, lastInfo = '', stopped = false;
  const step = total * MIN_STEP;
  return {
    active: true,
    update(value: number, info?: string) {
      if (stopped) return;
      const v = Math.min(Math.max(value, 0), total);
      if (v - last < step && (info === undefined || info === lastInfo) && v !== total) return;
      last = v;
      if (info !== undefined) lastInfo = info;
      bar.update(v, { info: lastInfo });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.update(last, { info: lastInfo });
      bar.stop();
    },
  };
}
