// Drives code-server (real VS Code in the browser) with headless Chromium and
// checks what a user of the extension sees. Started by scripts/e2e.sh, which
// installs the tools and passes their locations in E2E_* variables.
//
// Every check reads the DOM (Problems panel, editor lines, suggest widget,
// hover, tabs) or files on disk, never pixels. Each scenario saves a screenshot
// to e2e-artifacts/. The last line is "e2e: N passed, N failed".

import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { chromium } from 'playwright-core';

const env = process.env;
const NODE = required('E2E_NODE');
const CODE_SERVER_ENTRY = required('E2E_CODE_SERVER_ENTRY');
const VSIX = required('E2E_VSIX');
// The test-only extension of test/e2e-probe (records every owner's diagnostics); needed by the `corpus` scenario.
const PROBE_VSIX = env.E2E_PROBE_VSIX;
const SERVER_PYTHON = required('E2E_SERVER_PYTHON');
const ARTIFACTS = required('E2E_ARTIFACTS');
const REPO = required('E2E_REPO');
const WORK = required('E2E_WORK');
const ONLY = env.E2E_ONLY ? new Set(env.E2E_ONLY.split(',')) : undefined;
// A made-up key: the fake API answers 401 to any other, so a correct answer proves the key travelled.
const FAKE_KEY = 'sk-ant-e2e-not-a-real-key-4b1d';

function required(name) {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set; run scripts/e2e.sh`);
  return value;
}

const children = [];
const results = [];
const started = Date.now();
const log = (message) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

// ---------------------------------------------------------------- fixtures

const WS = path.join(WORK, 'workspace');
const FILES = {
  // Three problems on lines 4, 5 and 6 (1-based); nothing else is wrong in it.
  '.claude/agents/broken-agent.md': [
    '---',
    'name: broken-agent',
    'description: Checks pull requests for code paths that no test covers.',
    'model: sonet',
    'color: purpel',
    'tools: Read, Grpe, Glob',
    '---',
    'You review pull requests and list the changed code paths that no test covers.',
    '',
  ],
  // One fixable problem: an invalid colour one letter away from `green`.
  '.claude/agents/typo-agent.md': [
    '---',
    'name: typo-agent',
    'description: Turns a list of merged changes into release notes.',
    'model: haiku',
    'color: gren',
    '---',
    'You turn a list of merged changes into release notes grouped by area.',
    '',
  ],
  // A valid agent to complete and hover in; line 5 ends right after `model: `.
  '.claude/agents/writer.md': [
    '---',
    'name: writer',
    'description: Drafts documentation pages from code comments.',
    'color: cyan',
    'model: ',
    '---',
    'You write documentation pages from the comments in the code.',
    '',
  ],
  // A skill VS Code checks too (its `skill` language): it wants `name` to match the folder (a warning; Claude Code
  // lists the skill by `name` and runs it as `/release-notes`), and calls `effort` unsupported (a hint) where
  // agent-lsp warns that Claude Code drops `extreme`.
  '.claude/skills/release-notes/SKILL.md': [
    '---',
    'name: release-notes-writer',
    'description: Turns a list of merged changes into release notes.',
    'effort: extreme',
    '---',
    'Group the changes by area and write one line per change.',
    '',
  ],
  // Plain Markdown with the same mistakes: it is not an agent file, so it must get no diagnostics.
  'README.md': ['---', 'name: not-an-agent', 'model: sonet', 'color: purpel', '---', '# Notes', ''],
  // The fake API runs an agent on this file that reads it and proposes one edit (scripts/fake_api_runner.py).
  'src/pricing.py': ['# EDIT-ME-7c1e', 'def total(prices):', '    return sum(prices)', ''],
  'src/orders.py': [
    '"""Order service."""',
    '',
    'ORDERS = {}',
    '',
    '',
    'def create_order(order_id, items):',
    '    ORDERS[order_id] = items',
    '    return order_id',
    '',
  ],
};

// What a hostile repository commits (issue 15): a package that would shadow the server's
// when Python starts in the folder, and folder settings that would run another server,
// send the key to another endpoint, write answers into the repository and trace the
// key. None of it may take effect: the marker must never appear, the server must start
// from the user's settings, the answer must come from the fake API, and the trace must
// not hold the key.
const WORKSPACE_CODE_MARKER = path.join(WORK, 'workspace-code-ran');
const HIJACKED_ANSWERS = path.join(WS, 'hijacked-answers');
const HOSTILE_FILES = {
  'agent_lsp/__init__.py': [`import pathlib`, `pathlib.Path(${JSON.stringify(WORKSPACE_CODE_MARKER)}).write_text("ran")`, ''],
  'agent_lsp/__main__.py': ['raise SystemExit("the workspace\'s agent_lsp was run")', ''],
  '.vscode/settings.json': [
    JSON.stringify(
      {
        'agentLsp.server.python': path.join(WS, 'no-such-python'),
        'agentLsp.server.path': path.join(WS, 'no-such-agent-lsp'),
        // The discard port: a request sent there never reaches the fake API.
        'agentLsp.baseUrl': 'http://127.0.0.1:9',
        'agentLsp.answersDir': HIJACKED_ANSWERS,
        'agentLsp.trace.server': 'verbose',
      },
      null,
      2,
    ),
    '',
  ],
};

// The `corpus` scenario's workspace and what the probe records there (docs/vscode-builtin-comparison.md).
const CORPUS_WS = path.join(WORK, 'corpus-workspace');
const CORPUS_RECORDING = path.join(ARTIFACTS, 'corpus-diagnostics.json');
// E2E_CORPUS_CASES=agents/basic,skills/basic,... records only those cases (to try the layout in a minute).
const CORPUS_CASES = env.E2E_CORPUS_CASES;
const CORPUS_MIN_FILES = CORPUS_CASES ? CORPUS_CASES.split(',').length : 200;
const CHOOSE_COMMAND = "agent-lsp: Choose VS Code's or agent-lsp's checks for agent files";
const OFFER_TEXT = 'VS Code also checks agent files';
const USE_OURS = "Use agent-lsp's checks";

function workspaceSettings() {
  const file = path.join(WS, '.vscode/settings.json');
  // VS Code writes JSON with comments allowed; the file here has none.
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

function writeWorkspace() {
  fs.rmSync(WORK, { recursive: true, force: true });
  for (const [relative, lines] of Object.entries({ ...FILES, ...HOSTILE_FILES })) {
    const file = path.join(WS, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.join('\n'));
  }
}

/** After the sessions: nothing the hostile files asked for happened, and the verbose trace never held the key. */
function checkHostileWorkspace() {
  const check = (name, run) => {
    try {
      run();
      results.push({ name, ok: true });
      log(`PASS ${name}`);
    } catch (error) {
      results.push({ name, ok: false, error: error.message });
      log(`FAIL ${name}: ${error.message}`);
    }
  };
  check('workspace-code-not-run', () => {
    if (fs.existsSync(WORKSPACE_CODE_MARKER)) throw new Error("the workspace's agent_lsp/__init__.py ran");
    if (fs.existsSync(HIJACKED_ANSWERS)) throw new Error("answers were written to the folder's agentLsp.answersDir");
  });
  check('trace-without-key', () => {
    const logs = fs
      .readdirSync(ARTIFACTS)
      .filter((name) => name.startsWith('extension-trusted-'))
      .map((name) => fs.readFileSync(path.join(ARTIFACTS, name), 'utf8'))
      .join('\n');
    // Without a verbose trace of the hand-over the check below would prove nothing.
    if (!/Sending request 'workspace\/executeCommand[\s\S]*agentLsp\.setApiKey/.test(logs)) {
      throw new Error('the extension log has no verbose trace of agentLsp.setApiKey');
    }
    if (logs.includes(FAKE_KEY)) throw new Error('the API key is in the extension log');
  });
}

// ---------------------------------------------------------------- processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function startFakeApi(requestLog) {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_PYTHON, [path.join(REPO, 'vscode-client/scripts/fake_api_runner.py'), requestLog, FAKE_KEY], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const stderr = [];
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.once('exit', (code) => reject(new Error(`fake API exited (${code}): ${Buffer.concat(stderr).toString()}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('URL ')) resolve(line.slice(4).trim());
    });
  });
}

/** PATH without the folders that hold an agent-lsp executable, so only the settings can find the server. */
function pathWithoutAgentLsp() {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir.length > 0 && !fs.existsSync(path.join(dir, 'agent-lsp')))
    .join(path.delimiter);
}

async function startCodeServer(dirs, port, { label, trusted, folder = WS }) {
  const codeEnv = {
    ...env,
    PATH: pathWithoutAgentLsp(),
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
  };
  // The key must come from the extension's secret storage, not from the environment.
  delete codeEnv.ANTHROPIC_API_KEY;
  delete codeEnv.ANTHROPIC_BASE_URL;
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  execFileSync(NODE, [CODE_SERVER_ENTRY, ...common, '--install-extension', VSIX], { env: codeEnv, stdio: 'pipe' });
  if (PROBE_VSIX) {
    execFileSync(NODE, [CODE_SERVER_ENTRY, ...common, '--install-extension', PROBE_VSIX], { env: codeEnv, stdio: 'pipe' });
  }
  const out = fs.openSync(path.join(ARTIFACTS, `code-server-${label}.log`), 'w');
  const child = spawn(
    NODE,
    [
      CODE_SERVER_ENTRY,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      // The language client traces only when its output channel logs at trace level;
      // the trace-without-key check needs the verbose trace of agentLsp.setApiKey.
      '--log',
      'trace',
      ...(trusted ? ['--disable-workspace-trust'] : []),
      ...common,
      folder,
    ],
    { env: codeEnv, stdio: ['ignore', out, out] },
  );
  children.push(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error('code-server did not answer /healthz within 60 s; see e2e-artifacts/code-server.log');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** The command's "Keep both": VS Code's own checks come back (the files.associations entry goes). */
async function keepBothCheckers(wb) {
  await wb.runCommand(CHOOSE_COMMAND);
  const keep = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Keep both' }).first();
  await keep.waitFor({ state: 'visible', timeout: 10_000 });
  await keep.click();
  await until('the files.associations entry to go', () =>
    workspaceSettings()['files.associations']?.['**/.claude/agents/*.md'] === undefined,
  );
}

// ---------------------------------------------------------------- the workbench

class Workbench {
  constructor(page) {
    this.page = page;
  }

  async runCommand(title) {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
  }

  /** Opens a workspace file by clicking its row in the Explorer, expanding folders on the way. */
  async openFile(relative) {
    const { page } = this;
    const parts = relative.split('/');
    const tree = page.locator('.explorer-folders-view');
    await tree.waitFor({ state: 'visible' });
    for (const [index, part] of parts.entries()) {
      const row = tree.getByRole('treeitem', { name: part, exact: true }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      const isFolder = index < parts.length - 1;
      if (isFolder) {
        // A click right after the tree re-renders can select a folder without expanding it: retry until open.
        await until(`folder ${part} to expand`, async () => {
          if ((await row.getAttribute('aria-expanded')) === 'true') return true;
          await row.click();
          await sleep(500);
          return (await row.getAttribute('aria-expanded')) === 'true';
        }, 15_000);
      } else {
        await row.click();
      }
    }
    const name = parts.at(-1);
    await until(`an active tab for ${name}`, async () =>
      (await page.locator('.tabs-container .tab.active').getAttribute('aria-label'))?.includes(name),
    );
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
  }

  /** The active editor's visible lines, in order, with the non-breaking spaces Monaco renders turned back. */
  async editorLines() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
      if (!editor) return [];
      return [...editor.querySelectorAll('.view-line')]
        .map((line) => ({ top: parseFloat(line.style.top), text: (line.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text);
    });
  }

  async goTo(line, column) {
    await this.page.keyboard.press('Control+g');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await sleep(200);
  }

  /** Problems panel rows for one file, as {line, column, severity, message} parsed from their aria-labels. */
  async problems(fileName) {
    const { page } = this;
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.runCommand('View: Focus Problems');
      await panel.waitFor({ state: 'visible' });
    }
    const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('aria-label') ?? ''),
    );
    this.lastProblemLabels = labels;
    return parseProblemRows(labels, fileName);
  }

  /** Every Problems row of one file, VS Code's own included, each with `ours` when agent-lsp sent it. */
  async allProblems(fileName) {
    await this.problems(fileName);
    return parseProblemRows(this.lastProblemLabels, fileName, null);
  }

  async screenshot(name) {
    await this.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  }
}

/**
 * The Problems tree labels a file row with the file name ("4 problems in file
 * x.md of folder ...") and each marker row with its severity, message, position
 * and source ("Warning: ... at line 4 and character 8. generated by agent-lsp").
 * Marker rows follow their file row; positions are 1-based.
 */
export function parseProblemRows(labels, fileName, source = 'agent-lsp') {
  const problems = [];
  let inFile = false;
  for (const label of labels) {
    const position = /at line (\d+) and character (\d+)/i.exec(label);
    if (!position) {
      inFile = label.includes(fileName);
      continue;
    }
    // VS Code's own checker of agent files reports in the same panel; keep only our server's rows
    // (every row when `source` is null).
    if (inFile && (source === null || label.includes(source))) {
      const severity = /^(Error|Warning|Info|Information|Hint)/i.exec(label)?.[1] ?? 'unknown';
      const ours = label.includes('agent-lsp');
      problems.push({ line: Number(position[1]), column: Number(position[2]), severity, label, ours });
    }
  }
  return problems;
}

// ---------------------------------------------------------------- scenarios

const scenarios = [
  {
    name: 'server-starts',
    async run(wb) {
      await wb.openFile('.claude/agents/writer.md');
      // VS Code prefixes the item's id with the extension's; the aria-label is the extension's accessibility label.
      const item = wb.page.locator('.statusbar-item[id$="agentLsp.status"]').first();
      const label = await until('the agent-lsp status bar item to say running', async () => {
        const text = (await item.getAttribute('aria-label', { timeout: 1000 })) ?? '';
        return text.includes('server running') ? text : false;
      });
      log(`status bar: ${label}`);
    },
  },
  {
    // Issue 22: VS Code checks agent files too. The offer, "Use agent-lsp's checks", and back to "Keep both".
    name: 'vscode-checks',
    async run(wb) {
      const { page } = wb;
      await wb.openFile('.claude/agents/writer.md');
      // writer.md's `model: ` gets VS Code's error and warning and agent-lsp's warning on one line.
      const before = await until("both checkers' problems on writer.md", async () => {
        const rows = await wb.allProblems('writer.md');
        return rows.some((r) => r.ours) && rows.some((r) => !r.ours) ? rows : false;
      });
      for (const r of before) log(`before: ${r.label}`);
      const offer = page.locator('.notification-list-item', { hasText: OFFER_TEXT }).first();
      await offer.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
        // A toast that timed out lives on in the notification centre.
        await wb.runCommand('Notifications: Show Notifications');
        await offer.waitFor({ state: 'visible', timeout: 10_000 });
      });
      const text = (await offer.textContent()) ?? '';
      log(`offer: ${text}`);
      const numbers = /disagrees with Claude Code on (\d+) of (\d+) files? here/.exec(text);
      if (!numbers || !text.includes('older than Claude Code 2.1.328')) throw new Error(`unexpected offer: ${text}`);
      if (Number(numbers[1]) < 1 || Number(numbers[1]) > Number(numbers[2])) throw new Error(`bad numbers: ${numbers[0]}`);
      for (const button of [USE_OURS, 'Keep both', "Don't ask again"]) {
        if ((await offer.getByRole('button', { name: button }).count()) === 0) throw new Error(`no "${button}" button`);
      }
      if (workspaceSettings()['files.associations'] !== undefined) throw new Error('files.associations changed before any answer');
      await wb.screenshot('vscode-checks-offer');
      await offer.getByRole('button', { name: USE_OURS }).click();

      await until('the files.associations entry in the workspace settings', () =>
        workspaceSettings()['files.associations']?.['**/.claude/agents/*.md'] === 'claude-agent',
      );
      const ourBefore = before.filter((r) => r.ours).map((r) => r.label);
      await until("only agent-lsp's problems on writer.md", async () => {
        const rows = await wb.allProblems('writer.md');
        return rows.length === ourBefore.length && rows.every((r) => r.ours) ? rows : false;
      });
      // One entry per problem on broken-agent.md too: its three lines, once each.
      await wb.openFile('.claude/agents/broken-agent.md');
      const broken = await until('one problem on each of lines 4, 5 and 6 of broken-agent.md', async () => {
        const rows = await wb.allProblems('broken-agent.md');
        const lines = rows.map((r) => r.line).sort((a, b) => a - b);
        return lines.join(',') === '4,5,6' && rows.every((r) => r.ours) ? rows : false;
      });
      for (const r of broken) log(`agent-lsp only: ${r.label}`);
      const mode = page.locator('.statusbar-item', { hasText: 'Claude Code agent' }).first();
      await mode.waitFor({ state: 'visible', timeout: 10_000 });
      await wb.screenshot('vscode-checks-agent-lsp-problems');
      // The skill too: VS Code's warning on `name` goes, agent-lsp's warning on `effort` stays, once.
      await wb.openFile('.claude/skills/release-notes/SKILL.md');
      await page.locator('.statusbar-item', { hasText: 'Claude Code skill' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      const skill = await until("only agent-lsp's problem on SKILL.md, on line 4", async () => {
        const rows = await wb.allProblems('SKILL.md');
        return rows.length === 1 && rows[0].ours && rows[0].line === 4 ? rows : false;
      });
      log(`skill, agent-lsp only: ${skill[0].label}`);
      await wb.screenshot('vscode-checks-agent-lsp-skill');

      // Completion on `model:`: each value once.
      await wb.openFile('.claude/agents/writer.md');
      await wb.goTo(5, 8);
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Space');
      const rows = await until('the suggest widget to list the model aliases', async () => {
        const found = await page
          .locator('.editor-widget.suggest-widget .monaco-list-row')
          .evaluateAll((els) => els.map((el) => (el.getAttribute('aria-label') ?? el.textContent ?? '').split(/[\s,]/)[0]));
        return ['inherit', 'sonnet', 'opus', 'haiku', 'fable'].every((n) => found.includes(n)) ? found : false;
      }, 15_000);
      log(`suggestions: ${rows.join(' | ')}`);
      const twice = rows.filter((label, i) => rows.indexOf(label) !== i);
      if (twice.length > 0) throw new Error(`values offered twice: ${twice.join(', ')}`);
      await wb.screenshot('vscode-checks-agent-lsp-completion');
      await page.keyboard.press('Escape');

      // Reversible: the command, "Keep both": VS Code's markers come back and ours are what they were.
      await keepBothCheckers(wb);
      await wb.openFile('.claude/skills/release-notes/SKILL.md');
      await until("VS Code's warning back on SKILL.md's `name` (line 2), agent-lsp's still on line 4", async () => {
        const rows = await wb.allProblems('SKILL.md');
        return rows.some((r) => !r.ours && r.line === 2) && rows.some((r) => r.ours && r.line === 4);
      });
      await wb.openFile('.claude/agents/writer.md');
      const after = await until("VS Code's problems back on writer.md", async () => {
        const found = await wb.allProblems('writer.md');
        return found.some((r) => !r.ours) && found.filter((r) => r.ours).length === ourBefore.length ? found : false;
      });
      const ourAfter = after.filter((r) => r.ours).map((r) => r.label);
      if (JSON.stringify(ourAfter) !== JSON.stringify(ourBefore)) {
        throw new Error(`agent-lsp's problems changed: ${JSON.stringify(ourBefore)} -> ${JSON.stringify(ourAfter)}`);
      }
      await wb.screenshot('vscode-checks-keep-both');
    },
  },
  {
    // Issue 22: the association must not hide the agents from VS Code's chat. Copilot Chat needs a GitHub
    // sign-in (offline here), so the evidence is VS Code's own list of custom agents, the "Chat
    // Customizations" editor that Copilot's agent picker ("Configure Custom Agents...") opens, before and
    // after "Use agent-lsp's checks".
    name: 'chat-agents',
    async run(wb, { writeSettings }) {
      const { page } = wb;
      writeSettings({ 'chat.disableAIFeatures': false });
      const expected = { agents: ['broken-agent', 'typo-agent', 'writer'], skills: ['release-notes'] }; // VS Code names a skill by its folder
      // "Chat: Open Customizations" (the gear of the chat view; Copilot's agent picker's "Configure Custom
      // Agents..." opens the same), then its Agents or Skills page: the names VS Code found.
      const listed = async (section, when) => {
        const label = section === 'agents' ? 'Agents' : 'Skills';
        await wb.runCommand('Chat: Open Customizations');
        const entry = page.locator('.monaco-list-row', { hasText: new RegExp(`^\\s*${label}`) }).first();
        await entry.waitFor({ state: 'visible', timeout: 15_000 });
        await entry.click();
        const names = await until(`VS Code's ${section} (${when}) to list ${expected[section].join(', ')}`, async () => {
          const found = await page
            .locator('.ai-customization-list-item .item-name')
            .evaluateAll((els) => els.map((el) => (el.textContent ?? '').trim()));
          return expected[section].every((name) => found.includes(name)) ? found : false;
        }, 30_000).catch(async (error) => {
          await wb.screenshot(`chat-agents-${section}-missing`);
          const text = await page.locator('.ai-customization-management-editor').first().innerText().catch(() => '');
          log(`customizations editor: ${text.slice(0, 2000).replace(/\s+/g, ' ')}`);
          throw error;
        });
        log(`VS Code's ${section} ${when}: ${names.join(' | ')}`);
        return names;
      };
      // The extensions are up once agent-lsp serves an agent file.
      await wb.openFile('.claude/agents/writer.md');
      const item = page.locator('.statusbar-item[id$="agentLsp.status"]').first();
      await until('the agent-lsp server to run', async () =>
        ((await item.getAttribute('aria-label', { timeout: 1000 })) ?? '').includes('server running'),
      60_000);
      let primary;
      try {
        if (workspaceSettings()['files.associations'] !== undefined) {
          throw new Error('an association is already set: the "before" lists would prove nothing');
        }
        await listed('skills', 'before');
        await listed('agents', 'before');
        await wb.screenshot('chat-agents-before');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');

        await wb.runCommand(CHOOSE_COMMAND);
        const ours = page.locator('.quick-input-list .monaco-list-row', { hasText: USE_OURS }).first();
        await ours.waitFor({ state: 'visible', timeout: 10_000 });
        await ours.click();
        await until('the files.associations entries in the workspace settings', () => {
          const entries = workspaceSettings()['files.associations'] ?? {};
          return entries['**/.claude/agents/*.md'] === 'claude-agent' && entries['**/.claude/skills/*/SKILL.md'] === 'claude-skill';
        });
        // The files have our languages now...
        for (const [file, language] of [
          ['.claude/agents/writer.md', 'Claude Code agent'],
          ['.claude/skills/release-notes/SKILL.md', 'Claude Code skill'],
        ]) {
          await wb.openFile(file);
          await page.locator('.statusbar-item', { hasText: language }).first().waitFor({ state: 'visible', timeout: 10_000 });
        }
        // ...and VS Code's chat still lists every agent and skill.
        await listed('skills', 'after the association');
        await listed('agents', 'after the association');
        await wb.screenshot('chat-agents-after');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
      } catch (error) {
        primary = error;
        throw error;
      } finally {
        // Back to both checkers, as the `vscode-checks` scenario left it (an error here must not hide the first).
        if (primary) log(`chat-agents failed first with: ${primary.message}`);
        await page.keyboard.press('Escape');
        await keepBothCheckers(wb);
        await wb.runCommand('View: Close All Editors');
        writeSettings({ 'chat.disableAIFeatures': true });
      }
    },
  },
  {
    name: 'diagnostics',
    async run(wb) {
      await wb.openFile('.claude/agents/broken-agent.md');
      const problems = await until('problems on lines 4, 5 and 6 of broken-agent.md', async () => {
        const found = await wb.problems('broken-agent.md');
        const lines = [...new Set(found.map((p) => p.line))].sort((a, b) => a - b);
        return lines.join(',') === '4,5,6' ? found : false;
      });
      for (const p of problems) log(`problem: ${p.label}`);
      const wanted = { 4: 'sonet', 5: 'purpel', 6: 'Grpe' };
      for (const p of problems) {
        const column = FILES['.claude/agents/broken-agent.md'][p.line - 1].indexOf(wanted[p.line]) + 1;
        if (p.column !== column) {
          throw new Error(`line ${p.line}: expected the mark at column ${column} (on "${wanted[p.line]}"), got ${p.column}`);
        }
      }
      // README.md is ordinary Markdown with the same mistakes: the server must stay silent on it.
      await wb.openFile('README.md');
      await sleep(2000);
      const readme = await wb.problems('README.md');
      if (readme.length > 0) throw new Error(`README.md got ${readme.length} problems: ${readme[0].label}`);
      await wb.openFile('.claude/agents/broken-agent.md');
    },
  },
  {
    name: 'quick-fix',
    async run(wb) {
      const { page } = wb;
      const file = path.join(WS, '.claude/agents/typo-agent.md');
      await wb.openFile('.claude/agents/typo-agent.md');
      await until('a problem on line 5 of typo-agent.md', async () =>
        (await wb.problems('typo-agent.md')).some((p) => p.line === 5),
      );
      await wb.goTo(5, 9);
      // The lightbulb appears once code actions for the cursor's line arrive: in the
      // glyph margin (codicon-gutter-lightbulb-*) when there is room, else as a widget.
      const bulb = page
        .locator(
          '.editor-group-container.active [class*="codicon-gutter-lightbulb"], ' +
            '.editor-group-container.active .lightBulbWidget [class*="codicon-lightbulb"]',
        )
        .first();
      await bulb.waitFor({ state: 'visible', timeout: 15_000 }).catch(async (error) => {
        const classes = await page.evaluate(() =>
          [...document.querySelectorAll('.editor-group-container [class*="ight"]')].map((e) => `${e.tagName}.${e.className}`),
        );
        throw new Error(`${error.message.split('\n')[0]}; candidates: ${JSON.stringify(classes)}`);
      });
      await wb.screenshot('quick-fix-lightbulb');
      await bulb.click();
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'green' }).first();
      await fix.waitFor({ state: 'visible', timeout: 10_000 });
      await wb.screenshot('quick-fix-menu');
      await fix.click();
      await until('line 5 to read "color: green"', async () => (await wb.editorLines())[4] === 'color: green');
      await page.keyboard.press('Control+s');
      await until('the saved file to contain "color: green"', () =>
        fs.readFileSync(file, 'utf8').split('\n')[4] === 'color: green',
      );
      await until('the problem on line 5 to go away', async () =>
        !(await wb.problems('typo-agent.md')).some((p) => p.line === 5),
      );
    },
  },
  {
    name: 'completion',
    async run(wb) {
      const { page } = wb;
      await wb.openFile('.claude/agents/writer.md');
      await wb.goTo(5, 8);
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Space');
      let last = [];
      const labels = await until('the suggest widget to list the model aliases', async () => {
        const rows = await page
          .locator('.editor-widget.suggest-widget .monaco-list-row')
          .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent ?? ''));
        // VS Code's own agent-file support also completes `model`, but without `fable`:
        // requiring every alias, `fable` included, shows the list came from agent-lsp.
        const names = ['inherit', 'sonnet', 'opus', 'haiku', 'fable'];
        last = rows;
        return names.every((n) => rows.some((r) => r.split(/[\s,]/)[0] === n)) ? rows : false;
      }, 15_000).catch((error) => {
        throw new Error(`${error.message}; suggestions seen: ${JSON.stringify(last)}`);
      });
      log(`suggestions: ${labels.slice(0, 8).join(' | ')}`);
      await wb.screenshot('completion-list');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'hover',
    async run(wb) {
      const { page } = wb;
      await wb.openFile('.claude/agents/writer.md');
      await wb.goTo(4, 2);
      await wb.runCommand('Show or Focus Hover');
      const colours = ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'pink', 'cyan'];
      let seen = '';
      const hoverText = async () => {
        seen = (await page.locator('.monaco-hover:visible').first().textContent({ timeout: 1000 })) ?? '';
        return colours.every((c) => seen.includes(c)) ? seen : false;
      };
      let text = await until('a hover for `color` that lists the colours', hoverText, 8_000).catch(() => false);
      if (!text) {
        // Second way in: rest the mouse on the key, as a person would.
        const token = page
          .locator('.editor-group-container.active .view-line span span', { hasText: /^color$/ })
          .first();
        const box = await token.boundingBox();
        if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        text = await until('a hover for `color` that lists the colours', hoverText, 8_000).catch((error) => {
          throw new Error(`${error.message}; hover seen: ${JSON.stringify(seen.slice(0, 300))}`);
        });
      }
      log(`hover: ${text.slice(0, 160).replace(/\s+/g, ' ')}`);
      await wb.screenshot('hover-popup');
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'ask-architect',
    async run(wb, context) {
      const { page } = wb;
      await wb.runCommand('agent-lsp: Set Anthropic API key');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(FAKE_KEY);
      await page.keyboard.press('Enter');
      await until('the "API key stored" notification', async () =>
        (await page.locator('.notifications-toasts').textContent())?.includes('API key stored'),
      );
      await wb.openFile('src/orders.py');
      await wb.runCommand('agent-lsp: Ask backend architect');
      const lines = await until('an editor showing the streamed answer', async () => {
        const text = (await wb.editorLines()).join('\n');
        return text.includes('E2E-ANSWER-7f3a') && text.includes('repository interface') ? text : false;
      }, 60_000);
      log(`answer editor: ${lines.slice(0, 200).replace(/\s+/g, ' ')}`);
      await wb.screenshot('ask-architect-answer');
      const requests = readRequests(context.requestLog);
      const request = requests.at(-1);
      if (!request) throw new Error('the fake API received no request');
      if (!request.key_matched) throw new Error('the request did not carry the key stored with "Set Anthropic API key"');
      if (!request.user_text.includes('def create_order(order_id, items):')) {
        throw new Error('the request did not carry the content of orders.py');
      }
      if (!/architect/i.test(request.system ?? '')) throw new Error('the system prompt is not the architect agent');
      log(`request: model=${request.model} stream=${request.stream} system=${(request.system ?? '').length} chars`);
    },
  },
  {
    name: 'ask-architect-edit',
    async run(wb) {
      const { page } = wb;
      await wb.runCommand('agent-lsp: Set Anthropic API key');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(FAKE_KEY);
      await page.keyboard.press('Enter');
      await wb.openFile('src/pricing.py');
      await wb.runCommand('agent-lsp: Ask backend architect');
      // The agent's proposed edit arrives as a workspace edit that needs confirmation: VS Code's refactor preview.
      const apply = page.locator('.bulk-edit-panel, .monaco-dialog-box').getByRole('button', { name: /^Apply/ }).first();
      await until('the refactor preview of the proposed edit', async () => apply.isVisible(), 90_000);
      await wb.screenshot('ask-architect-edit-preview');
      const preview = (await page.locator('.bulk-edit-panel').textContent().catch(() => '')) ?? '';
      log(`refactor preview: ${preview.slice(0, 200).replace(/\s+/g, ' ')}`);
      if (!preview.includes('pricing.py')) throw new Error('the refactor preview does not list pricing.py');
      // Changes that need confirmation start unticked: the user opts in to each one, then applies.
      const fileRow = page.locator('.bulk-edit-panel .monaco-list-row').first();
      const box = fileRow.locator('.monaco-checkbox, .monaco-custom-toggle, input[type="checkbox"]').first();
      if (await box.count()) await box.click();
      else {
        await fileRow.click();
        await page.keyboard.press('Space');
      }
      await until('the change ticked in the preview', async () => {
        const html = await fileRow.innerHTML();
        return /checked|aria-checked="true"/.test(html);
      }, 10_000).catch(async (error) => {
        log(`preview row: ${(await fileRow.innerHTML()).slice(0, 600)}`);
        throw error;
      });
      await wb.screenshot('ask-architect-edit-ticked');
      await apply.click();
      await wb.openFile('src/pricing.py');
      await until('the accepted edit in pricing.py', async () =>
        (await wb.editorLines()).join('\n').includes('return round(sum(prices), 2)'),
      );
    },
  },
  {
    name: 'ask-agent-pick',
    async run(wb, context) {
      const { page } = wb;
      const before = readRequests(context.requestLog).length;
      await wb.openFile('src/orders.py');
      await wb.runCommand('agent-lsp: Ask agent…');
      // The quick pick is filled from the server's agentLsp.listAgents: the workspace's own agents.
      const writer = page.locator('.quick-input-list .monaco-list-row', { hasText: 'writer' }).first();
      await writer.waitFor({ state: 'visible', timeout: 15_000 });
      const labels = await page
        .locator('.quick-input-list .monaco-list-row')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
      log(`agents offered: ${labels.join(' | ')}`);
      if (!labels.some((l) => l.includes('typo-agent'))) throw new Error('typo-agent is missing from the pick');
      await wb.screenshot('ask-agent-pick-list');
      await writer.click();
      await until('the writer agent\'s answer in an editor', async () => {
        const text = (await wb.editorLines()).join('\n');
        return text.includes('E2E-ANSWER-7f3a') && text.includes('writer');
      }, 60_000);
      const request = readRequests(context.requestLog).slice(before).at(-1);
      if (!request) throw new Error('the fake API received no request');
      if (!(request.system ?? '').includes('You write documentation pages from the comments in the code.')) {
        throw new Error('the system prompt is not the body of writer.md');
      }
    },
  },
  {
    // Runs last: it takes the server away.
    name: 'missing-server',
    async run(wb, context) {
      const { page } = wb;
      // Point the interpreter setting at nothing; the change restarts the server, which must fail loudly.
      context.writeSettings({ 'agentLsp.server.python': path.join(WORK, 'no-such-python') });
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot start the language server' });
      await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await toast.first().textContent()) ?? '';
      for (const needed of ['pip install agent-lsp', 'agentLsp.server.python', 'no such interpreter', 'Install Guide']) {
        if (!text.includes(needed)) throw new Error(`the notification lacks "${needed}": ${text}`);
      }
      await wb.screenshot('missing-server-notification');
      const item = page.locator('.statusbar-item[id$="agentLsp.status"]').first();
      await until('the status bar item to say the server failed', async () =>
        ((await item.getAttribute('aria-label', { timeout: 1000 })) ?? '').includes('server failed'),
      );
      // The button opens the install guide shipped inside the extension.
      await toast.first().getByRole('button', { name: 'Install Guide' }).click();
      await until('the install guide to open', async () =>
        ((await page.locator('.tabs-container .tab.active').getAttribute('aria-label')) ?? '').includes('readme'),
      );
      // The preview is a webview: its text lives in a nested frame.
      await until('the install guide to show the install command', async () => {
        for (const frame of page.frames()) {
          const body = await frame.locator('body').textContent({ timeout: 500 }).catch(() => '');
          if (body?.includes('Install the server') && body.includes('pip install agent-lsp')) return true;
        }
        return false;
      }, 20_000);
      await wb.screenshot('install-guide');
    },
  },
];

// ---------------------------------------------------------------- main

const corpusScenarios = [
  {
    // Issue 22: VS Code's own markers and agent-lsp's on every conformance case, recorded by the probe
    // extension; scripts/vscode_builtin_comparison.py scores them against Claude Code's recorded truth.
    name: 'corpus',
    async run(wb) {
      const { page } = wb;
      const item = page.locator('.statusbar-item[id$="agentLsp.status"]').first();
      await until('the agent-lsp server to run', async () =>
        ((await item.getAttribute('aria-label', { timeout: 1000 })) ?? '').includes('server running'),
      60_000);
      fs.rmSync(CORPUS_RECORDING, { force: true });
      await wb.runCommand('agent-lsp probe: collect diagnostics');
      const recording = await until('the probe to record every file', () => {
        try {
          return JSON.parse(fs.readFileSync(CORPUS_RECORDING, 'utf8'));
        } catch {
          return false;
        }
      }, 40 * 60_000);
      const files = recording.files;
      // cases/<agents|skills|commands>/<case>/...: every file kind must be there.
      const kinds = {};
      for (const f of files) kinds[f.file.split('/')[1]] = (kinds[f.file.split('/')[1]] ?? 0) + 1;
      const unpublished = files.filter((f) => !f.published).length;
      const builtin = files.filter((f) => f.diagnostics.some((d) => d.source !== 'agent-lsp')).length;
      const ours = files.filter((f) => f.diagnostics.some((d) => d.source === 'agent-lsp')).length;
      const languages = {};
      for (const f of files) languages[f.languageId] = (languages[f.languageId] ?? 0) + 1;
      log(
        `corpus: ${files.length} files in ${(recording.elapsedMs / 1000).toFixed(0)}s, ${JSON.stringify(kinds)}, ` +
          `VS Code ${recording.vscodeVersion}, languages ${JSON.stringify(languages)}, ` +
          `${builtin} with VS Code markers, ${ours} with agent-lsp's, ${unpublished} never published`,
      );
      if (files.length < CORPUS_MIN_FILES) throw new Error(`only ${files.length} files recorded`);
      const missing = ['agents', 'skills', 'commands'].filter((kind) => !kinds[kind]);
      if (missing.length > 0) throw new Error(`no ${missing.join(', ')} recorded`);
      if (builtin === 0) throw new Error("no file got VS Code's own markers: the comparison would be empty");
      if (unpublished > 0) throw new Error(`${unpublished} files never got agent-lsp's diagnostics`);
      const table = execFileSync(SERVER_PYTHON, [path.join(REPO, 'scripts/vscode_builtin_comparison.py'), 'score', CORPUS_RECORDING], {
        encoding: 'utf8',
      });
      fs.writeFileSync(path.join(ARTIFACTS, 'corpus-comparison.md'), table);
    },
  },
];

const untrustedScenarios = [
  {
    name: 'untrusted-limited',
    async run(wb, context) {
      const { page } = wb;
      // Restricted Mode still checks agent files...
      await wb.openFile('.claude/agents/broken-agent.md');
      await until('agent-lsp problems in Restricted Mode', async () => (await wb.problems('broken-agent.md')).length === 3);
      // ...but refuses to send anything to the API.
      const before = readRequests(context.requestLog).length;
      await wb.openFile('src/orders.py');
      await wb.runCommand('agent-lsp: Ask backend architect');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'untrusted workspace' });
      await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
      await wb.screenshot('untrusted-refusal');
      await sleep(3000);
      const after = readRequests(context.requestLog).length;
      if (after !== before) throw new Error(`the fake API received ${after - before} request(s) from an untrusted workspace`);
    },
  },
];

function readRequests(requestLog) {
  if (!fs.existsSync(requestLog)) return [];
  return fs
    .readFileSync(requestLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function launchBrowser() {
  return chromium.launch({
    executablePath: env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * One code-server with its own profile, one browser page, a list of scenarios.
 * `trusted: false` starts code-server with workspace trust on and answers its
 * prompt with "don't trust", so the window runs in Restricted Mode.
 */
async function session({ label, trusted, list, apiUrl, requestLog, folder = WS, extraSettings = {} }) {
  const selected = list.filter((scenario) => !ONLY || ONLY.has(scenario.name));
  if (selected.length === 0) return;
  const root = path.join(WORK, label);
  const dirs = {
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    config: path.join(root, 'xdg/config'),
    data: path.join(root, 'xdg/data'),
    cache: path.join(root, 'xdg/cache'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });

  const settings = {
    // Otherwise the chat view opens at start and takes the focus.
    'chat.disableAIFeatures': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.editor.enablePreview': false,
    'security.workspace.trust.enabled': !trusted,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.enabled': false,
    'explorer.compactFolders': false,
    'editor.lightbulb.enabled': 'on',
    'agentLsp.server.python': SERVER_PYTHON,
    'agentLsp.baseUrl': apiUrl,
    'agentLsp.answersDir': path.join(root, 'answers'),
    'agentLsp.trace.server': 'messages',
    ...extraSettings,
  };
  // code-server is a remote setup: settings of machine scope (the server's interpreter,
  // the API address) are read from the Machine settings, not from the User ones.
  const writeSettings = (changes = {}) => {
    Object.assign(settings, changes);
    for (const scope of ['User', 'Machine']) {
      fs.mkdirSync(path.join(dirs.userData, scope), { recursive: true });
      fs.writeFileSync(path.join(dirs.userData, scope, 'settings.json'), JSON.stringify(settings, null, 2));
    }
  };
  writeSettings();

  const port = await freePort();
  const codeServer = await startCodeServer(dirs, port, { label, trusted, folder });
  log(`${label}: code-server on 127.0.0.1:${port}`);

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    if (!trusted) {
      // Depending on the build, a trust prompt may come first; either way the window must end in Restricted Mode.
      const dontTrust = page.locator('.monaco-dialog-box').getByRole('button', { name: /don.t trust/i });
      const restricted = page.locator('#workbench\\.parts\\.statusbar', { hasText: 'Restricted Mode' });
      await until('Restricted Mode', async () => {
        if (await dontTrust.isVisible()) await dontTrust.click();
        return restricted.isVisible();
      }, 30_000).catch(async (error) => {
        await page.screenshot({ path: path.join(ARTIFACTS, 'untrusted-start.png') });
        throw error;
      });
    }
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
    const wb = new Workbench(page);

    for (const scenario of selected) {
      const begin = Date.now();
      wb.lastProblemLabels = undefined;
      try {
        await scenario.run(wb, { requestLog, writeSettings });
        results.push({ name: scenario.name, ok: true });
        log(`PASS ${scenario.name} (${((Date.now() - begin) / 1000).toFixed(1)}s)`);
      } catch (error) {
        results.push({ name: scenario.name, ok: false, error: error.message });
        log(`FAIL ${scenario.name} (${((Date.now() - begin) / 1000).toFixed(1)}s): ${error.message}`);
        if (wb.lastProblemLabels) log(`Problems panel rows last seen: ${JSON.stringify(wb.lastProblemLabels)}`);
      }
      await wb.screenshot(scenario.name).catch(() => {});
      await page.keyboard.press('Escape').catch(() => {});
    }
  } finally {
    await browser.close();
    codeServer.kill('SIGTERM');
    copyExtensionLogs(dirs.userData, label);
  }
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  writeWorkspace();
  const requestLog = path.join(WORK, 'fake-api-requests.jsonl');
  const apiUrl = await startFakeApi(requestLog);
  log(`fake Anthropic API at ${apiUrl}`);
  await session({ label: 'trusted', trusted: true, list: scenarios, apiUrl, requestLog });
  if (ONLY?.has('corpus')) {
    // Both checkers on every conformance case, in a workspace of its own (one project per case). Only when
    // asked for by name (`E2E_ONLY=corpus`): it takes about 20 minutes, more than CI's whole budget.
    const some = CORPUS_CASES ? ['--cases', ...CORPUS_CASES.split(',')] : [];
    execFileSync(
      SERVER_PYTHON,
      [path.join(REPO, 'scripts/vscode_builtin_comparison.py'), 'prepare', CORPUS_WS, CORPUS_RECORDING, ...some],
      { stdio: 'inherit' },
    );
    await session({
      label: 'corpus',
      trusted: true,
      list: corpusScenarios,
      apiUrl,
      requestLog,
      folder: CORPUS_WS,
      // Measure both side by side; the offer to choose is tested in the `vscode-checks` scenario.
      extraSettings: { 'agentLsp.vscodeAgentChecks': 'both' },
    });
  }
  await session({ label: 'untrusted', trusted: false, list: untrustedScenarios, apiUrl, requestLog });
  if (!ONLY) checkHostileWorkspace();
}

/** Copies the extension's output channel (and the rest of the window logs) next to the screenshots. */
function copyExtensionLogs(userData, label) {
  const logs = path.join(userData, 'logs');
  if (!fs.existsSync(logs)) return;
  for (const entry of fs.readdirSync(logs, { recursive: true })) {
    const file = path.join(logs, entry);
    if (/agent-lsp/i.test(entry) && fs.statSync(file).isFile()) {
      fs.copyFileSync(file, path.join(ARTIFACTS, `extension-${label}-${path.basename(file)}`));
    }
  }
}

function stopChildren() {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

process.on('exit', stopChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopChildren();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  log(`setup failed: ${error.stack ?? error}`);
  results.push({ name: 'setup', ok: false, error: error.message });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}${r.ok ? '' : `: ${r.error}`}`);
fs.writeFileSync(path.join(ARTIFACTS, 'results.json'), JSON.stringify(results, null, 2));
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
stopChildren();
