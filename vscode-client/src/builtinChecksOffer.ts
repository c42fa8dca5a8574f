// Talks to the editor for builtinChecks.ts: watches the diagnostics of open agent
// files, offers once per workspace to keep VS Code's own checker off them, and keeps
// `files.associations` in step with the `agentLsp.vscodeAgentChecks` setting. Nothing
// changes without the user's answer, the setting or the command.

import * as vscode from 'vscode';
import {
  answerToSetting,
  CHOICE_COMMAND,
  CHOICE_SETTING,
  DONT_ASK,
  type FileMarks,
  KEEP_BOTH,
  type Mark,
  offer,
  offerMessage,
  parseChoice,
  updatedAssociations,
  USE_OURS,
  type Choice,
} from './builtinChecks';

/** workspaceState key: the offer was shown in this workspace. */
const ASKED_KEY = 'agentLsp.vscodeAgentChecks.asked';
/** Both checkers settle within this time of the last diagnostics change (VS Code's validator waits 200 ms). */
const SETTLE_MS = 1500;
const SEVERITY: Mark['severity'][] = ['error', 'warning', 'info', 'hint'];

export class BuiltinChecksOffer implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private showing = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    /** Whether agent-lsp serves this document (the language client's document selector). */
    private readonly serves: (document: vscode.TextDocument) => boolean,
    private readonly log: (message: string) => void,
  ) {}

  register(): void {
    this.disposables.push(
      vscode.commands.registerCommand(CHOICE_COMMAND, () => this.pick()),
      vscode.languages.onDidChangeDiagnostics(() => {
        this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(CHOICE_SETTING)) void this.apply();
      }),
    );
    this.context.subscriptions.push(this);
    // A choice made in settings.json by hand takes effect too.
    if (this.choice() === 'agentLspOnly') void this.apply();
  }

  private choice(): Choice {
    return parseChoice(vscode.workspace.getConfiguration().get(CHOICE_SETTING));
  }

  private schedule(): void {
    if (this.choice() !== 'ask' || this.context.workspaceState.get<boolean>(ASKED_KEY) === true) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.maybeOffer(), SETTLE_MS);
  }

  /** The agent files open in editors (VS Code's checker looks at no others), with every owner's diagnostics. */
  private openAgentFiles(): FileMarks[] {
    const seen = new Set<string>();
    const files: FileMarks[] = [];
    for (const editor of vscode.window.visibleTextEditors) {
      const document = editor.document;
      const uri = document.uri.toString();
      if (seen.has(uri) || !this.serves(document)) continue;
      seen.add(uri);
      const marks = vscode.languages.getDiagnostics(document.uri).map((d) => ({
        line: d.range.start.line,
        severity: SEVERITY[d.severity] ?? 'hint',
        ours: d.source === 'agent-lsp',
      }));
      files.push({ uri, languageId: document.languageId, marks });
    }
    return files;
  }

  private async maybeOffer(): Promise<void> {
    if (this.showing) return;
    const numbers = offer(
      { choice: this.choice(), askedHere: this.context.workspaceState.get<boolean>(ASKED_KEY) === true },
      this.openAgentFiles(),
    );
    if (numbers === undefined) return;
    this.showing = true;
    await this.context.workspaceState.update(ASKED_KEY, true);
    this.log(`VS Code's own checks disagree on ${numbers.differing} of ${numbers.total} open agent files; asking once.`);
    try {
      const answer = await vscode.window.showInformationMessage(
        offerMessage(numbers.differing, numbers.total),
        USE_OURS,
        KEEP_BOTH,
        DONT_ASK,
      );
      const setting = answerToSetting(answer);
      if (setting !== undefined) await this.store(setting.choice, setting.target);
    } finally {
      this.showing = false;
    }
  }

  private async store(choice: Choice, target: 'workspace' | 'user'): Promise<void> {
    const where =
      target === 'workspace' && vscode.workspace.workspaceFolders !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration().update(CHOICE_SETTING, choice, where);
    // The configuration listener applies it; apply here too, in case the event came before the write ended.
    await this.apply();
  }

  /** The command: the same three answers, at any time, with the current one marked. */
  private async pick(): Promise<void> {
    const current = this.choice();
    const items: (vscode.QuickPickItem & { choice: Choice })[] = [
      {
        label: USE_OURS,
        description: current === 'agentLspOnly' ? '(current)' : undefined,
        detail:
          "Give .claude/agents/*.md the language 'Claude Code agent' and .claude/skills/*/SKILL.md 'Claude Code skill' in this workspace, so VS Code's own checker leaves them alone.",
        choice: 'agentLspOnly',
      },
      {
        label: KEEP_BOTH,
        description: current === 'both' ? '(current)' : undefined,
        detail: "Show VS Code's markers and agent-lsp's side by side; agent-lsp's say 'agent-lsp' and carry their codes.",
        choice: 'both',
      },
      {
        label: 'Ask me',
        description: current === 'ask' ? '(current)' : undefined,
        detail: 'Keep both for now, and ask when the two disagree on an open file.',
        choice: 'ask',
      },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Which checks should agent files show?' });
    if (picked === undefined) return;
    await this.store(picked.choice, 'workspace');
    if (picked.choice === 'ask') await this.context.workspaceState.update(ASKED_KEY, false);
  }

  /** Adds or removes our `files.associations` entry wherever the choice says, leaving the user's own entries alone. */
  private async apply(): Promise<void> {
    const choice = this.choice();
    const config = vscode.workspace.getConfiguration();
    const inspected = config.inspect<Record<string, unknown>>('files.associations');
    const targets: [vscode.ConfigurationTarget, Record<string, unknown> | undefined][] = [
      [vscode.ConfigurationTarget.Global, inspected?.globalValue],
    ];
    if (vscode.workspace.workspaceFolders !== undefined) {
      targets.push([vscode.ConfigurationTarget.Workspace, inspected?.workspaceValue]);
    }
    const hasFolder = vscode.workspace.workspaceFolders !== undefined;
    const made = config.inspect(CHOICE_SETTING);
    // Add where the choice was made (the workspace, unless only the user's settings hold it); remove everywhere.
    const addTo =
      hasFolder && (made?.workspaceValue !== undefined || made?.globalValue === undefined)
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    for (const [target, current] of targets) {
      if (choice === 'agentLspOnly' && target !== addTo) continue;
      const next = updatedAssociations(current, choice);
      if (next === undefined) continue;
      await config.update('files.associations', Object.keys(next).length > 0 ? next : undefined, target);
      this.log(
        choice === 'agentLspOnly'
          ? "files.associations: .claude/agents/*.md are now 'claude-agent' and .claude/skills/*/SKILL.md 'claude-skill'; VS Code's own checks leave them alone."
          : "files.associations: removed agent-lsp's entries; VS Code checks .claude/agents/*.md and SKILL.md again.",
      );
    }
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
