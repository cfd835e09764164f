import type { Figure } from './measure';

/** One line of the result table. */
export interface Row {
  path: string;
  figure: Figure;
  /** The raw floor of the same work, measured in the same run. */
  floor?: Figure;
  /** 1-minute load average when the phase started and ended. */
  load: [number, number];
  /** The issue's target and whether it was met. */
  target?: string;
}

const fixed = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : '–';

const ms = (value: number) => (Number.isFinite(value) ? fixed(value, value < 10 ? 1 : 0) : '–');

/** Throughput with one decimal below 10/s (pipeline runs), none above. */
export const rate = (figure: Figure) => fixed(figure.rate, figure.rate < 10 ? 1 : 0);

/** "yes"/"NO" with the figures that decided it. */
export function verdict(met: boolean, text: string): string {
  return `${text}: ${met ? 'yes' : '**NO**'}`;
}

/** Ratio of a later figure to an earlier one (flatness), as a percentage change. */
export function change(later: number, earlier: number): string {
  const percent = ((later - earlier) / earlier) * 100;
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(0)} %`;
}

/** The result as one markdown table. */
export function formatTable(rows: Row[], server: string): string {
  const header = [
    'path',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'floor ops/s',
    'floor p50 / p99 ms',
    'ratio floor/path',
    'target (issue)',
    'server',
    'load avg start → end',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 || i >= 8 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of rows) {
    const { figure, floor } = row;
    lines.push(
      `| ${[
        row.path,
        rate(figure),
        ms(figure.p50),
        ms(figure.p99),
        String(figure.errors),
        floor ? rate(floor) : '–',
        floor ? `${ms(floor.p50)} / ${ms(floor.p99)}` : '–',
        floor ? `${fixed(floor.rate / figure.rate, 1)}×` : '–',
        row.target ?? '',
        server,
        `${row.load[0].toFixed(2)} → ${row.load[1].toFixed(2)}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
