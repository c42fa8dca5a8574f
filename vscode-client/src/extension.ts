// Wiring between VS Code and the agent-lsp server. The decisions live in the
// plain modules next to this file; this one only talks to the editor.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  ResponseError,
  RevealOutputChannelOn,
  type ServerOptions as ProcessOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { ApiKeyManager, checkApiKeyInput, SECRET_NAME, setApiKeyParams } from './apiKey';
import { BuiltinChecksOffer } from './builtinChecksOffer';
import { buildAskArgs, parseAgentList, toPickItems, UNTRUSTED_MESSAGE, type AskAgentArgs } from './ask';
import { redactingChannel, SecretRedactor } from './redact';
import {
  describeRejections,
  isExecutableFile,
  notFoundMessage,
  pythonPackageProbe,
  resolveServerCommand,
  type Probe,
} from './serverCommand';
import {
  agentDocumentSelector,
  jsonDocumentSelector,
  readSection as readSettings,
  RESTART_KEYS,
  SECTION,
  toServerOptions,
  type ServerOptions,
} from './settings';
import { statusLook, type ServerState } from './status';

/** How long `python -I -c "import agent_lsp"` may take before the interpreter is given up on. */
const PYTHON_PROBE_TIMEOUT_MS = 15_000;

/** The settings, with the ones that choose what runs or where the key goes taken from the user's settings only. */
function readSection(): Record<string, unknown> {
  return readSettings(vscode.workspace.getConfiguration());
}

function currentServerOptions(): ServerOptions {
  return toServerOptions(readSection(), vscode.workspace.isTrusted);
}

function errorText(error: unknown): string {
  if (error instanceof ResponseError || error instanceof Error) return error.message;
  return String(error);
}

class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** True while we stop the client ourselves, so the status bar says "stopped" rather than "failed". */
  private stopping = false;
  /** Every line written to `output` passes through it: the API key is blanked out of traces and logs. */
  private readonly redactor = new SecretRedactor();
  private readonly output: vscode.LogOutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly keys: ApiKeyManager;
  private readonly disposables: { dispose(): unknown }[] = [];
  private restarting: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = redactingChannel(vscode.window.createOutputChannel('agent-lsp', { log: true }), this.redactor);
    this.status = vscode.window.createStatusBarItem('agentLsp.status', vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'agent-lsp';
    this.status.command = 'agentLsp.showLog';
    this.keys = new ApiKeyManager(
      context.secrets,
      (apiKey) => this.sendApiKey(apiKey),
      () => this.isRunning() && vscode.workspace.isTrusted,
      this.redactor,
    );
  }

  register(): void {
    const command = (id: string, run: () => Promise<unknown>): vscode.Disposable =>
      vscode.commands.registerCommand(id, async () => {
        try {
          await run();
        } catch (error) {
          this.output.error(`${id} failed: ${errorText(error)}`);
          void vscode.window.showErrorMessage(`agent-lsp: ${errorText(error)}`);
        }
      });

    this.disposables.push(
      this.output,
      this.status,
      command('agentLsp.askArchitect', () => this.ask(undefined)),
      command('agentLsp.askAgentPick', () => this.askWithPick()),
      // Offered by the server as a code action on an answer document: continue that agent's conversation.
      vscode.commands.registerCommand('agentLsp.askFollowUp', async (arg: unknown) => {
        try {
          await this.askFollowUp(arg);
        } catch (error) {
          this.output.error(`agentLsp.askFollowUp failed: ${errorText(error)}`);
          void vscode.window.showErrorMessage(`agent-lsp: ${errorText(error)}`);
        }
      }),
      command('agentLsp.storeApiKey', () => this.storeKey()),
      command('agentLsp.clearApiKey', () => this.clearKey()),
      command('agentLsp.restartServer', () => this.restart()),
      command('agentLsp.showLog', () => {
        this.output.show(true);
        return Promise.resolve();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) {
          this.output.info('A setting that decides how the server starts changed; restarting it.');
          void this.restart();
        }
      }),
      // Trust unlocks the API: a new process gets `apiEnabled: true` and the key.
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.output.info('Workspace trusted; restarting the server with the API enabled.');
        void this.restart();
      }),
      this.context.secrets.onDidChange((event) => {
        if (event.key === SECRET_NAME) {
          void this.keys.sync().catch((error: unknown) => {
            this.reportKeyFailure(error);
          });
        }
      }),
    );
    this.context.subscriptions.push(this);
    // VS Code checks agent files too: offer, once per workspace, to show only ours.
    new BuiltinChecksOffer(this.context, (document) => this.serves(document), (message) => {
      this.output.info(message);
    }).register();
  }

  /** Whether the language client takes this document (its document selector). */
  private serves(document: vscode.TextDocument): boolean {
    const globs = readSection().agentGlobs;
    const extra = Array.isArray(globs) ? globs.filter((g): g is string => typeof g === 'string') : [];
    return vscode.languages.match(agentDocumentSelector(extra), document) > 0;
  }

  private setStatus(state: ServerState, detail?: string): void {
    const look = statusLook(state, detail);
    this.status.text = look.text;
    this.status.tooltip = look.tooltip;
    // Screen readers (and the e2e test) read the state, not the icon name.
    this.status.accessibilityInformation = { label: look.tooltip.split('\n')[0] ?? look.text };
    this.status.backgroundColor =
      state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }

  private isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  private probe(): Probe {
    // The extension's own folder: outside every workspace, and not writable by
    // other users the way the temp directory is.
    const serverCwd = this.context.extensionPath;
    return {
      isExecutable: isExecutableFile,
      pythonHasPackage: pythonPackageProbe(serverCwd, PYTHON_PROBE_TIMEOUT_MS),
      env: process.env,
      platform: process.platform,
      homeDir: os.homedir(),
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      trusted: vscode.workspace.isTrusted,
      serverCwd,
    };
  }

  async start(): Promise<void> {
    this.setStatus('starting');
    // Learn the stored key before a server exists whose traffic could be traced.
    await this.keys.get().catch(() => undefined);
    const section = readSection();
    const serverSection = (section.server ?? {}) as { path?: string; python?: string };
    const resolution = resolveServerCommand(serverSection, this.probe());

    if (!resolution.ok) {
      const message = notFoundMessage(resolution.rejected);
      this.output.error(message);
      this.setStatus('failed', 'The server was not found.');
      void this.offerInstallHelp(message);
      return;
    }
    if (resolution.rejected.length > 0) {
      // A setting the user made did not work: say so instead of quietly using another server.
      const note = `agent-lsp: ${describeRejections(resolution.rejected)}. Using ${resolution.command.command} instead.`;
      this.output.warn(note);
      void vscode.window.showWarningMessage(note, 'Open Settings').then((choice) => {
        if (choice !== undefined) void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
      });
    }

    const { command, args, source, cwd } = resolution.command;
    this.output.info(`Starting ${[command, ...args].join(' ')} in ${cwd} (from ${source}).`);

    // An explicit cwd: vscode-languageclient would otherwise use the first workspace folder.
    const processOptions: ProcessOptions = { command, args, options: { cwd }, transport: TransportKind.stdio };
    const extraGlobs = Array.isArray(section.agentGlobs)
      ? section.agentGlobs.filter((g): g is string => typeof g === 'string')
      : [];
    const clientOptions: LanguageClientOptions = {
      documentSelector: [...agentDocumentSelector(extraGlobs), ...jsonDocumentSelector()],
      outputChannel: this.output,
      traceOutputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: currentServerOptions,
      synchronize: { configurationSection: SECTION },
      middleware: {
        workspace: {
          // The server pulls `agentLsp`; it gets the same shape as initializationOptions, apiEnabled included.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) return result;
            // A sub-section such as `agentLsp.baseUrl` would bypass readSection's
            // filter; the server reads the whole section, so it gets null there.
            return params.items.map((item, index) =>
              item.section === SECTION
                ? currentServerOptions()
                : item.section?.startsWith(`${SECTION}.`)
                  ? null
                  : (result[index] as unknown),
            );
          },
          // Pushed changes carry the same shape too, rather than the raw section.
          didChangeConfiguration: async () => {
            await this.client?.sendNotification(DidChangeConfigurationNotification.type, {
              settings: { [SECTION]: currentServerOptions() },
            });
          },
        },
      },
    };

    const client = new LanguageClient(SECTION, 'agent-lsp', processOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (this.client !== client) return;
      if (event.newState === State.Running) this.setStatus('running', `${command} (${source})`);
      else if (event.newState === State.Starting) this.setStatus('starting');
      else this.setStatus(this.stopping ? 'stopped' : 'failed', 'See the log for why.');
    });

    try {
      await client.start();
    } catch (error) {
      this.output.error(`The server did not start: ${errorText(error)}`);
      this.setStatus('failed', errorText(error));
      void vscode.window
        .showErrorMessage(`agent-lsp: the server did not start (${errorText(error)}).`, 'Show Log')
        .then((choice) => {
          if (choice !== undefined) this.output.show(true);
        });
      return;
    }
    await this.keys.serverStarted().catch((error: unknown) => {
      this.reportKeyFailure(error);
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    this.stopping = true;
    try {
      if (client.state !== State.Stopped) await client.stop();
    } catch (error) {
      this.output.warn(`Stopping the server: ${errorText(error)}`);
    } finally {
      this.stopping = false;
      this.client = undefined;
    }
  }

  /**
   * Restarts one at a time: a settings edit can fire several change events in a
   * row, and overlapping restarts would leave two server processes behind.
   */
  restart(): Promise<void> {
    const next = this.restarting.then(async () => {
      await this.stop();
      await this.start();
    });
    this.restarting = next.catch(() => undefined);
    return next;
  }

  private async offerInstallHelp(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Install Guide', 'Open Settings', 'Show Log');
    if (choice === 'Install Guide') {
      // The guide ships inside the extension, so it opens without a network connection.
      // vsce stores README.md as readme.md, and extension folders can be case-sensitive.
      const name = ['README.md', 'readme.md'].find((n) => fs.existsSync(`${this.context.extensionPath}/${n}`));
      const readme = vscode.Uri.joinPath(this.context.extensionUri, name ?? 'README.md');
      await vscode.commands.executeCommand('markdown.showPreview', readme);
    } else if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server`);
    } else if (choice === 'Show Log') {
      this.output.show(true);
    }
  }

  private runningClient(): LanguageClient {
    const client = this.client;
    if (client === undefined || !this.isRunning()) {
      throw new Error('the server is not running. Run "agent-lsp: Show server log" to see why.');
    }
    return client;
  }

  private async serverCommand(command: string, arg: unknown): Promise<unknown> {
    return this.runningClient().sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] });
  }

  private async sendApiKey(apiKey: string | null): Promise<void> {
    // The key is in the redactor already (ApiKeyManager adds it on every read),
    // so the verbose trace of this request shows `<redacted>` in its place.
    await this.runningClient().sendRequest(ExecuteCommandRequest.type, setApiKeyParams(apiKey));
    // The key itself never goes to the log.
    this.output.info(apiKey === null ? 'Told the server to forget the API key.' : 'Handed the API key to the server.');
  }

  private reportKeyFailure(error: unknown): void {
    this.output.error(`Handing the API key to the server failed: ${errorText(error)}`);
    void vscode.window.showWarningMessage(
      `agent-lsp: the server did not take the API key (${errorText(error)}).`,
    );
  }

  private refuseIfUntrusted(): boolean {
    if (vscode.workspace.isTrusted) return false;
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return true;
  }

  private async ask(agent: string | undefined): Promise<void> {
    if (this.refuseIfUntrusted()) return;
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) {
      void vscode.window.showInformationMessage('agent-lsp: open the file you want to ask about first.');
      return;
    }
    const args: AskAgentArgs = buildAskArgs(
      {
        uri: editor.document.uri.toString(),
        text: editor.document.getText(),
        selection: editor.selection,
      },
      agent,
    );
    this.output.info(
      `Asking ${agent ?? 'the default agent'} about ${args.uri}` +
        (args.range !== undefined ? ` (lines ${args.range.start.line + 1}-${args.range.end.line + 1})` : ''),
    );
    await this.serverCommand('agentLsp.askAgent', args);
  }

  private async askFollowUp(arg: unknown): Promise<void> {
    if (this.refuseIfUntrusted()) return;
    const value = typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>) : {};
    const conversation = typeof value.conversation === 'string' ? value.conversation : undefined;
    const uri = typeof value.uri === 'string' ? value.uri : vscode.window.activeTextEditor?.document.uri.toString();
    if (conversation === undefined || uri === undefined) {
      void vscode.window.showInformationMessage('agent-lsp: run "Ask a follow-up" from an answer document.');
      return;
    }
    const question = await vscode.window.showInputBox({
      title: 'Ask a follow-up',
      prompt: 'Your next message to the agent; it continues the same conversation.',
    });
    if (question === undefined || question.trim() === '') return;
    this.output.info(`Asking a follow-up in conversation ${conversation}`);
    await this.serverCommand('agentLsp.askAgent', { uri, conversation, question });
  }

  private async askWithPick(): Promise<void> {
    if (this.refuseIfUntrusted()) return;
    const agents = parseAgentList(await this.serverCommand('agentLsp.listAgents', {}));
    if (agents.length === 0) {
      void vscode.window.showInformationMessage(
        'agent-lsp: no agent without errors was found in this workspace or in ~/.claude/agents.',
      );
      return;
    }
    const picked = await vscode.window.showQuickPick(toPickItems(agents), {
      title: 'Ask which agent about this file?',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (picked !== undefined) await this.ask(picked.agent);
  }

  private async storeKey(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: 'Anthropic API key',
      prompt: "Kept in VS Code's secret storage (never in settings.json) and handed only to the agent-lsp server.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.length === 0 ? undefined : checkApiKeyInput(text)),
    });
    if (value === undefined || value.trim().length === 0) return;
    await this.keys.set(value);
    void vscode.window.showInformationMessage('agent-lsp: API key stored.');
  }

  private async clearKey(): Promise<void> {
    await this.keys.clear();
    void vscode.window.showInformationMessage('agent-lsp: API key removed.');
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  controller.register();
  // Through the restart queue, so a settings change during the first start waits its turn.
  await controller.restart();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
