// Decisions about VS Code's own checker of agent and skill files (its `chatagent` and
// `skill` languages and the `prompts-diagnostics-provider` markers): when to offer
// keeping it off the files agent-lsp serves, what the offer says, and the
// `files.associations` entries that do it. No `vscode` import: builtinChecksOffer.ts feeds these functions the editor's state.

/**
 * VS Code 1.139 has no setting that turns its prompt-file validation off: the validator
 * checks every editor whose language is `prompt`, `instructions`, `chatagent` or
 * `skill`. Giving the files another language is the one switch, and VS Code applies a
 * user's `files.associations` before the patterns its prompt-basics extension
 * contributes (`**\/.claude/agents/*.md` → `chatagent`).
 */
export const OUR_LANGUAGE = 'claude-agent';

/**
 * Our language for Claude Code skills. VS Code gives every `SKILL.md` its `skill`
 * language and checks it against VS Code's own list of skill attributes, which calls
 * Claude Code's `model`, `effort`, `hooks`... unsupported and wants `name` to match
 * the folder (docs/vscode-builtin-comparison.md measures it).
 */
export const OUR_SKILL_LANGUAGE = 'claude-skill';

/**
 * The files VS Code checks itself that agent-lsp also serves, each with the language of
 * ours it gets. Only Claude Code's folders: `.github/agents`, `.github/skills` and
 * `.agents/skills` are other tools' files.
 */
export const ASSOCIATIONS: Readonly<Record<string, string>> = {
  '**/.claude/agents/*.md': OUR_LANGUAGE,
  '**/.claude/skills/*/SKILL.md': OUR_SKILL_LANGUAGE,
};
export const ASSOCIATION_PATTERNS = Object.keys(ASSOCIATIONS);

/** Languages VS Code's own validator checks (its `getPromptsTypeForLanguageId`). */
export const VSCODE_CHECKED_LANGUAGES = ['chatagent', 'skill', 'prompt', 'instructions'] as const;

/** The setting, its values and the command that changes it. */
export const CHOICE_SETTING = 'agentLsp.vscodeAgentChecks';
export const CHOICE_COMMAND = 'agentLsp.chooseVscodeAgentChecks';
export type Choice = 'ask' | 'agentLspOnly' | 'both';
export const CHOICES: readonly Choice[] = ['ask', 'agentLspOnly', 'both'];

export function parseChoice(value: unknown): Choice {
  return CHOICES.includes(value as Choice) ? (value as Choice) : 'ask';
}

/** The Claude Code version agent-lsp's value lists were verified against (tests/conformance/PINNED_VERSION). */
export const CLAUDE_CODE_VERSION = '2.1.328';

export const USE_OURS = "Use agent-lsp's checks";
export const KEEP_BOTH = 'Keep both';
export const DONT_ASK = "Don't ask again";

/** One diagnostic as the decision needs it: 0-based line, severity name, and whether agent-lsp sent it. */
export interface Mark {
  line: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  ours: boolean;
}

/** What one open agent file shows: its language and every owner's diagnostics. */
export interface FileMarks {
  uri: string;
  languageId: string;
  marks: readonly Mark[];
}

/** The problems a checker shows on a file, as "line:severity", infos and hints left out. */
function problemKeys(marks: readonly Mark[], ours: boolean): Set<string> {
  return new Set(
    marks
      .filter((m) => m.ours === ours && (m.severity === 'error' || m.severity === 'warning'))
      .map((m) => `${m.line}:${m.severity}`),
  );
}

/**
 * Whether VS Code's own markers tell the user something else than agent-lsp's on this
 * file: a problem on another line, or an error where agent-lsp sees a warning (or the
 * reverse). agent-lsp stands for Claude Code here: its rules are checked against Claude
 * Code 2.1.328 on every case of the conformance corpus (docs/vscode-builtin-comparison.md).
 */
export function disagrees(file: FileMarks): boolean {
  const theirs = problemKeys(file.marks, false);
  const ours = problemKeys(file.marks, true);
  if (theirs.size !== ours.size) return true;
  for (const key of theirs) if (!ours.has(key)) return true;
  return false;
}

/** The files VS Code checks itself, among the agent files the extension serves. */
export function checkedByVscode(files: readonly FileMarks[]): FileMarks[] {
  return files.filter((f) => (VSCODE_CHECKED_LANGUAGES as readonly string[]).includes(f.languageId));
}

export interface OfferState {
  choice: Choice;
  /** The offer was shown (or answered) in this workspace already. */
  askedHere: boolean;
}

/** What to show: nothing, or the numbers for the notification. */
export function offer(state: OfferState, files: readonly FileMarks[]): { differing: number; total: number } | undefined {
  if (state.choice !== 'ask' || state.askedHere) return undefined;
  const checked = checkedByVscode(files);
  const differing = checked.filter(disagrees).length;
  // Nothing differs yet: keep quiet, and ask when a file shows two answers.
  if (differing === 0) return undefined;
  return { differing, total: checked.length };
}

export function offerMessage(differing: number, total: number): string {
  const files = total === 1 ? 'file' : 'files';
  return (
    `VS Code also checks agent files, with value lists older than Claude Code ${CLAUDE_CODE_VERSION}: ` +
    `it disagrees with Claude Code on ${differing} of ${total} ${files} here. ` +
    'Show only the checks of agent-lsp, which follow that version?'
  );
}

/** Where a button's answer is stored: the workspace's settings, or the user's for "Don't ask again". */
export function answerToSetting(answer: string | undefined): { choice: Choice; target: 'workspace' | 'user' } | undefined {
  if (answer === USE_OURS) return { choice: 'agentLspOnly', target: 'workspace' };
  if (answer === KEEP_BOTH) return { choice: 'both', target: 'workspace' };
  if (answer === DONT_ASK) return { choice: 'both', target: 'user' };
  return undefined;
}

/**
 * `files.associations` with our entries added (choice `agentLspOnly`) or taken out (any
 * other choice). Entries the user wrote stay as they are, an entry of ours is removed
 * only while it still names our language, and `undefined` means "no change needed".
 */
export function updatedAssociations(
  current: Readonly<Record<string, unknown>> | undefined,
  choice: Choice,
): Record<string, unknown> | undefined {
  const entries = Object.entries(current ?? {});
  let changed = false;
  const kept = entries.filter(([pattern, language]) => {
    const drop = choice !== 'agentLspOnly' && Object.hasOwn(ASSOCIATIONS, pattern) && language === ASSOCIATIONS[pattern];
    changed ||= drop;
    return !drop;
  });
  const next: Record<string, unknown> = Object.fromEntries(kept);
  if (choice === 'agentLspOnly') {
    for (const [pattern, language] of Object.entries(ASSOCIATIONS)) {
      if (next[pattern] === undefined) {
        next[pattern] = language;
        changed = true;
      }
    }
  }
  return changed ? next : undefined;
}
