// Test-only extension installed by the e2e next to agent-lsp (never shipped). Its one
// command reads `.probe/request.json` in the workspace (a list of files and where to write
// the answer), shows each file in an editor (VS Code's own agent-file checker validates
// only files shown in an editor), waits until the markers of every owner settle, and
// writes them per file: `vscode.languages.getDiagnostics()` carries VS Code's built-in
// markers and the language client's alike; `source` tells them apart.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SEVERITY = ['error', 'warning', 'info', 'hint'];

function snapshot(uri) {
  return vscode.languages.getDiagnostics(uri).map((d) => ({
    source: d.source ?? '',
    code: d.code === undefined ? null : typeof d.code === 'object' ? String(d.code.value) : String(d.code),
    severity: SEVERITY[d.severity] ?? String(d.severity),
    line: d.range.start.line,
    endLine: d.range.end.line,
    message: d.message,
  }));
}

async function collect() {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('no workspace folder');
  const request = JSON.parse(fs.readFileSync(path.join(folder, '.probe', 'request.json'), 'utf8'));
  // Which files the language client has published for (an empty list included).
  const published = new Set();
  const listener = vscode.languages.onDidChangeDiagnostics((event) => {
    for (const uri of event.uris) published.add(uri.toString());
  });
  const files = [];
  const started = Date.now();
  try {
    for (const relative of request.files) {
      const uri = vscode.Uri.file(path.join(folder, relative));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false });
      const shown = Date.now();
      // agent-lsp publishes once per opened file; VS Code's checker validates 200 ms after the editor appears.
      while (!published.has(uri.toString()) && Date.now() - shown < request.publishTimeoutMs) await sleep(50);
      await sleep(Math.max(0, request.settleMs - (Date.now() - shown)));
      // VS Code's checker sends nothing for a file it finds clean, so its silence is only trusted after
      // builtinWaitMs: under load its markers can come a second or more after the editor appears.
      const builtinSeen = () => snapshot(uri).some((d) => d.source !== 'agent-lsp');
      while (!builtinSeen() && Date.now() - shown < (request.builtinWaitMs ?? 0)) await sleep(100);
      let last = JSON.stringify(snapshot(uri));
      for (let i = 0; i < 20; i++) {
        await sleep(150);
        const now = JSON.stringify(snapshot(uri));
        if (now === last) break;
        last = now;
      }
      files.push({
        file: relative,
        languageId: doc.languageId,
        published: published.has(uri.toString()),
        diagnostics: JSON.parse(last),
      });
      // Close it again: the e2e opens every file in a tab of its own (no preview editors), and the language
      // client pulls diagnostics for every open document whenever one opens (inter-file dependencies), so
      // hundreds of open tabs slowed each file to seconds of pulls.
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  } finally {
    listener.dispose();
  }
  const out = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    elapsedMs: Date.now() - started,
    files,
  };
  fs.writeFileSync(request.output, JSON.stringify(out, null, 1));
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  void vscode.window.showInformationMessage(`agent-lsp probe: recorded ${files.length} files`);
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('agentLspProbe.collect', async () => {
      try {
        await collect();
      } catch (error) {
        void vscode.window.showErrorMessage(`agent-lsp probe failed: ${error && error.message}`);
      }
    }),
  );
};
exports.deactivate = () => undefined;
