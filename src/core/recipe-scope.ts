// What a recipe may change: only what the Challenger is told. A proposal aimed at the solvers, the judge or the acceptance
// rule (by the part it names, or by what its text says) is refused and never applied: a recipe that weakens the weak
// solver or lowers a threshold would raise the pass rate without making better questions.

/** The parts of the harness an editor may name; only 'challenger' is the recipe's. */
export const RECIPE_PARTS = ['challenger', 'solver', 'judge', 'acceptance_rule'] as const;
export type RecipePart = (typeof RECIPE_PARTS)[number];

/** Phrases that steer something other than the Challenger's writing, each with why it is refused. */
const OUT_OF_SCOPE: ReadonlyArray<[RegExp, string]> = [
  [/\b(always|automatically|just)\s+(accept|pass|approve)/i, 'it tells the run to accept items'],
  [/\baccept(ance)?\s+(rule|threshold|criteri|polic|bar)/i, 'it speaks to the acceptance rule'],
  [/\bthresholds?\b/i, 'it speaks to the acceptance thresholds'],
  [/\b(weakMeanMax|strongMeanMin|strongMeanMax|minGap|weakBestMax|weakMinStd)\b/, 'it names an acceptance threshold'],
  [/\b(min(imum)?|max(imum)?)\s+gap\b|\bgap\s*(of\s*)?(≥|>=|<=|≤|>|<|=)/i, 'it sets the gap the rule asks for'],
  [/\b(weak|strong)\s+(mean|score)\s*(of\s*)?(≥|>=|<=|≤|>|<|=|must|should|below|above)/i, 'it sets a solver score the rule asks for'],
  [/\b(weak|strong)?\s*solvers?'?\s+(should|must|shall|is to|are to|may only|needs? to)\b/i, 'it instructs a solver'],
  [/\b(tell|instruct|ask|make|force|prompt)\s+the\s+(weak|strong)?\s*(solver|model)s?\s+(to|not)\b/i, 'it instructs a solver'],
  [/\b(solver|judge|grader)('s|s')?\s+(system\s+)?(prompt|instructions?|template)/i, 'it edits a solver or judge prompt'],
  [/\b(judge|grader)s?\s+(should|must|shall|will|is to|may)\b/i, 'it instructs the judge'],
  [/\b(tell|instruct|ask)\s+the\s+(judge|grader)\b/i, 'it instructs the judge'],
  [/\b(grade|mark|score)\s+(more\s+)?(leniently|generously|harshly|strictly)\b/i, 'it changes how answers are graded'],
  [/\{\{\s*\w+\s*\}\}/, 'it holds a prompt template slot'],
  [/\bignore\s+(all\s+|the\s+|any\s+)?(previous|above|earlier|prior)\b/i, 'it tries to override instructions'],
];

export interface RecipeProposal {
  part: RecipePart;
  recipe: string;
  rationale: string;
}

/** Why a proposal may not be applied, or undefined when it only steers the Challenger. */
export function scopeProblem(p: RecipeProposal): string | undefined {
  if (p.part !== 'challenger') {
    return `it changes the ${p.part.replace('_', ' ')}, and only the Challenger's recipe may change`;
  }
  if (!p.recipe.trim()) {
    return 'the proposed recipe is empty';
  }
  for (const [re, why] of OUT_OF_SCOPE) {
    const m = re.exec(p.recipe);
    if (m) {
      return `${why} ("${m[0].trim()}")`;
    }
  }
  return undefined;
}
