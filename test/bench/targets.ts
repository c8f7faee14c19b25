// The table of targets, each with the figure measured in this run and whether it is met. A target whose
// benchmark did not run says so and counts as not met.

export interface TargetRow {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

export const notMeasured = (what: string, target: string, why = 'not measured'): TargetRow => ({ what, target, measured: why, met: false });

export function targetTable(rows: readonly TargetRow[]): string {
  return [
    '| what | target | measured | |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.what} | ${r.target} | ${r.measured} | ${r.met ? 'met' : '**not met**'} |`),
  ].join('\n');
}
