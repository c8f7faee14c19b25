// Autodata: Estimate Cost — a pilot run over a sample of the active document's sections (shown in its panel like any
// run, its items kept), then the whole run's attempts, calls, tokens and cost extrapolated by run/estimate.ts.
import * as vscode from 'vscode';
import { estimateLines, estimateRun, PILOT_DEFAULTS, PilotTally, runPlan, type Estimate, type PilotSize } from '../run/estimate';
import { sectionsOf } from '../run/sources';
import type { Ctx } from './ctx';
import { readSettings } from './settings';
import { UserError } from './user-error';

export interface EstimateResult {
  estimate?: Estimate;
  lines: string[];
  runId: string;
}

/** The pilot's size: the arguments a caller passes, else the settings. */
function pilotSize(args?: Partial<PilotSize>): PilotSize {
  const cfg = vscode.workspace.getConfiguration('autodata');
  return {
    sections: args?.sections ?? cfg.get('estimate.pilotSections', PILOT_DEFAULTS.sections),
    attempts: args?.attempts ?? cfg.get('estimate.pilotAttempts', PILOT_DEFAULTS.attempts),
  };
}

export async function estimateCommand(ctx: Ctx, args?: Partial<PilotSize> & { silent?: boolean }): Promise<EstimateResult | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) {
    ctx.runs.report(new UserError('Open the document to estimate a run of.'));
    return undefined;
  }
  const size = pilotSize(args);
  const settings = readSettings(doc.uri);
  // The run being planned: every section, as Generate from Document would split them.
  const sections = sectionsOf(doc.getText(), settings.sectionMaxChars, doc.languageId === 'plaintext').length;
  const tally = new PilotTally();
  const watch = ctx.runs.onDidStartSession(({ session }) => {
    const sub = session.onEvent((e) => tally.add(e));
    session.onDidEnd(() => sub.dispose());
  });
  let result;
  try {
    result = await ctx.runs.generate('document', { uri: doc.uri, pilot: size, silent: true });
  } finally {
    watch.dispose();
  }
  if (!result) {
    return undefined;
  }
  const plan = runPlan(settings, [sections]);
  const estimate = result.outcome === 'completed' ? estimateRun(tally, plan) : undefined;
  const kept = `The pilot is run ${result.runId}: its ${result.accepted.length} accepted and ${result.review.length} borderline item(s) are kept (dataset, review queue).`;
  const lines = estimate
    ? [...estimateLines(estimate, plan), kept]
    : [`No estimate: the pilot ${result.outcome === 'completed' ? 'reached no verdict' : `did not finish (${result.message ?? result.outcome})`}.`, kept];
  ctx.log.info(`cost estimate for ${doc.uri.fsPath}:\n${lines.join('\n')}`);
  if (!args?.silent) {
    const headline = estimate ? `${lines[0]} ${lines[1].trim()}; ${lines[3].trim()}.` : lines[0];
    void vscode.window.showInformationMessage(`Autodata: ${headline}`, 'Show Basis').then((pick) => pick && ctx.log.show());
  }
  return { estimate, lines, runId: result.runId };
}
