import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  expandPath,
  findOnPath,
  isExecutableFile,
  notFoundMessage,
  pythonPackageProbe,
  resolveServerCommand,
  type Probe,
  type ServerCommand,
} from '../../src/serverCommand';
import { EXTENSION_DIR, fakeProbe } from './fakes';

describe('server command resolution', () => {
  it('uses agentLsp.server.path when it names an executable, without looking further', () => {
    const probe = fakeProbe({
      executables: ['/opt/agent-lsp/bin/agent-lsp', '/usr/bin/agent-lsp'],
      path: '/usr/bin',
    });
    const result = resolveServerCommand({ path: '/opt/agent-lsp/bin/agent-lsp', python: '/usr/bin/python3' }, probe);
    assert.deepEqual(result, {
      ok: true,
      command: { command: '/opt/agent-lsp/bin/agent-lsp', args: [], source: 'agentLsp.server.path', cwd: EXTENSION_DIR },
      rejected: [],
    });
    assert.deepEqual(probe.pythonChecks, [], 'the interpreter is not probed when the path setting works');
  });

  it('starts `python -I -m agent_lsp` when only agentLsp.server.python is set and it has the package', () => {
    const probe = fakeProbe({ executables: ['/venv/bin/python'], pythonsWithPackage: ['/venv/bin/python'] });
    const result = resolveServerCommand({ path: '', python: '/venv/bin/python' }, probe);
    assert.ok(result.ok);
    assert.deepEqual(result.command, {
      command: '/venv/bin/python',
      args: ['-I', '-m', 'agent_lsp'],
      source: 'agentLsp.server.python',
      cwd: EXTENSION_DIR,
    });
  });

  it('looks a bare interpreter name up on PATH', () => {
    const probe = fakeProbe({
      executables: ['/usr/local/bin/python3'],
      pythonsWithPackage: ['/usr/local/bin/python3'],
      path: '/usr/bin:/usr/local/bin',
    });
    const result = resolveServerCommand({ python: 'python3' }, probe);
    assert.ok(result.ok);
    assert.equal(result.command.command, '/usr/local/bin/python3');
  });

  it('falls back to agent-lsp on PATH, reporting the setting that did not work', () => {
    const probe = fakeProbe({ executables: ['/usr/bin/python3', '/home/dev/.local/bin/agent-lsp'], path: '/usr/bin:/home/dev/.local/bin' });
    const result = resolveServerCommand({ python: '/usr/bin/python3' }, probe);
    assert.ok(result.ok);
    assert.equal(result.command.command, '/home/dev/.local/bin/agent-lsp');
    assert.equal(result.command.source, 'PATH');
    assert.deepEqual(result.rejected.map((r) => r.source), ['agentLsp.server.python']);
    assert.match(result.rejected[0]?.reason ?? '', /cannot import agent_lsp in isolated mode/);
  });

  it('fails with every attempt listed when nothing works', () => {
    const probe = fakeProbe({ path: '/usr/bin' });
    const result = resolveServerCommand({ path: '/nowhere/agent-lsp', python: '/nowhere/python' }, probe);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.rejected.map((r) => r.source),
      ['agentLsp.server.path', 'agentLsp.server.python', 'PATH'],
    );
  });

  it('expands ~ and ${workspaceFolder} in the path setting', () => {
    const probe = fakeProbe({ executables: ['/work/proj/.venv/bin/agent-lsp'], workspaceFolder: '/work/proj' });
    const result = resolveServerCommand({ path: '${workspaceFolder}/.venv/bin/agent-lsp' }, probe);
    assert.ok(result.ok);
    assert.equal(result.command.command, '/work/proj/.venv/bin/agent-lsp');
    assert.deepEqual(expandPath('~/bin/agent-lsp', probe), { ok: true, value: '/home/dev/bin/agent-lsp' });
  });

  it('rejects ${workspaceFolder} when no folder is open instead of guessing one', () => {
    const probe = fakeProbe({});
    const result = resolveServerCommand({ path: '${workspaceFolder}/.venv/bin/agent-lsp' }, probe);
    assert.equal(result.ok, false);
    assert.match(result.rejected[0]?.reason ?? '', /no folder is open/);
  });

  it('skips empty PATH entries, which would mean the current directory', () => {
    const probe = fakeProbe({ executables: ['agent-lsp'], path: ':/usr/bin' });
    assert.equal(findOnPath('agent-lsp', probe), undefined);
  });

  it('finds agent-lsp.exe on Windows through PATHEXT', () => {
    const probe = fakeProbe({
      executables: ['C:\\Python\\Scripts\\agent-lsp.EXE'],
      path: 'C:\\Windows;C:\\Python\\Scripts',
      platform: 'win32',
      pathext: '.COM;.EXE',
    });
    assert.equal(findOnPath('agent-lsp', probe), 'C:\\Python\\Scripts\\agent-lsp.EXE');
  });

  it('says exactly what to install when the server is missing', () => {
    const result = resolveServerCommand({}, fakeProbe({ path: '/usr/bin' }));
    assert.equal(result.ok, false);
    const message = notFoundMessage(result.rejected);
    assert.match(message, /pip install agent-lsp/);
    assert.match(message, /agentLsp\.server\.path/);
    assert.match(message, /agentLsp\.server\.python/);
    assert.match(message, /agent-lsp is not found on PATH/);
  });
});

// Issue 15, finding 1: a cloned repository holding `agent_lsp/__init__.py` ran its own
// code, because the server started as `python -m agent_lsp` in the first workspace folder.
describe('server start-up never runs code from the workspace', () => {
  const WORKSPACE = '/work/cloned-repo';

  /** One probe under which each of the three ways of starting the server succeeds. */
  function branches(): { name: string; settings: { path?: string; python?: string }; probe: Probe }[] {
    return [
      {
        name: 'agentLsp.server.path',
        settings: { path: '/opt/agent-lsp/bin/agent-lsp' },
        probe: fakeProbe({ executables: ['/opt/agent-lsp/bin/agent-lsp'], workspaceFolder: WORKSPACE }),
      },
      {
        name: 'agentLsp.server.python',
        settings: { python: '/venv/bin/python' },
        probe: fakeProbe({ executables: ['/venv/bin/python'], pythonsWithPackage: ['/venv/bin/python'], workspaceFolder: WORKSPACE }),
      },
      {
        name: 'PATH',
        settings: {},
        probe: fakeProbe({ executables: ['/usr/bin/agent-lsp'], path: '/usr/bin', workspaceFolder: WORKSPACE }),
      },
    ];
  }

  for (const { name, settings, probe } of branches()) {
    it(`runs the server outside the workspace when it comes from ${name}`, () => {
      const result = resolveServerCommand(settings, probe);
      assert.ok(result.ok);
      assert.equal(result.command.source, name);
      // vscode-languageclient uses the first workspace folder when no cwd is given.
      assert.equal(result.command.cwd, EXTENSION_DIR);
      for (const restricted of [false, true]) {
        const again = resolveServerCommand(settings, { ...probe, trusted: !restricted });
        assert.ok(again.ok);
        assert.equal(again.command.cwd, EXTENSION_DIR);
      }
    });
  }

  it('puts -I before -m, so neither the working directory nor PYTHONPATH reaches sys.path', () => {
    const [, python] = branches();
    assert.ok(python);
    const result = resolveServerCommand(python.settings, python.probe);
    assert.ok(result.ok);
    assert.deepEqual(result.command.args, ['-I', '-m', 'agent_lsp']);
  });

  it('does not expand ${workspaceFolder} in an untrusted workspace, in either setting', () => {
    const probe = fakeProbe({
      executables: [`${WORKSPACE}/.venv/bin/agent-lsp`, `${WORKSPACE}/.venv/bin/python`],
      pythonsWithPackage: [`${WORKSPACE}/.venv/bin/python`],
      workspaceFolder: WORKSPACE,
      trusted: false,
    });
    const result = resolveServerCommand(
      { path: '${workspaceFolder}/.venv/bin/agent-lsp', python: '${workspaceFolder}/.venv/bin/python' },
      probe,
    );
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.rejected.map((r) => [r.source, r.reason]),
      [
        ['agentLsp.server.path', 'it uses ${workspaceFolder}, which is not expanded in an untrusted workspace'],
        ['agentLsp.server.python', 'it uses ${workspaceFolder}, which is not expanded in an untrusted workspace'],
        ['PATH', 'not found on PATH'],
      ],
    );
    assert.deepEqual(probe.pythonChecks, [], 'the workspace interpreter is not even asked');
  });

  it('refuses relative paths, which would be resolved against some directory', () => {
    const probe = fakeProbe({ executables: ['.venv/bin/agent-lsp', '.venv/bin/python'], pythonsWithPackage: ['.venv/bin/python'] });
    const result = resolveServerCommand({ path: '.venv/bin/agent-lsp', python: '.venv/bin/python' }, probe);
    assert.equal(result.ok, false);
    assert.match(result.rejected[0]?.reason ?? '', /relative path/);
    assert.match(result.rejected[1]?.reason ?? '', /relative path/);
  });

  it('skips relative PATH entries such as `.` and `node_modules/.bin`', () => {
    const probe = fakeProbe({
      executables: ['./agent-lsp', 'node_modules/.bin/agent-lsp', '/usr/bin/agent-lsp'],
      path: '.:node_modules/.bin:/usr/bin',
    });
    assert.equal(findOnPath('agent-lsp', probe), '/usr/bin/agent-lsp');
  });
});

// The same attack with a real interpreter: a folder holding a hostile `agent_lsp`
// package that leaves a marker file when it is imported.
describe('a hostile agent_lsp package in the workspace, with a real Python', function () {
  this.timeout(20_000);
  let root: string;
  let workspace: string;
  let extensionDir: string;
  let marker: string;
  let python: string | undefined;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-lsp-hostile-'));
    workspace = path.join(root, 'cloned-repo');
    extensionDir = path.join(root, 'extension');
    marker = path.join(root, 'workspace-code-ran');
    fs.mkdirSync(path.join(workspace, 'agent_lsp'), { recursive: true });
    fs.mkdirSync(extensionDir);
    fs.writeFileSync(
      path.join(workspace, 'agent_lsp', '__init__.py'),
      `import pathlib\npathlib.Path(${JSON.stringify(marker)}).write_text("ran")\n`,
    );
    fs.writeFileSync(path.join(workspace, 'agent_lsp', '__main__.py'), '');
    const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir));
    python = ['python3', 'python']
      .flatMap((name) => dirs.map((dir) => path.join(dir, name)))
      .find((file) => isExecutableFile(file));
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The real file system; the interpreter is said to have the package, as a venv with agent-lsp installed would. */
  function realProbe(serverCwd: string, workspaceFolder: string): Probe {
    return {
      isExecutable: isExecutableFile,
      pythonHasPackage: () => true,
      env: process.env,
      platform: process.platform,
      homeDir: os.homedir(),
      workspaceFolder,
      trusted: false,
      serverCwd,
    };
  }

  /** Starts the command the way vscode-languageclient does: its cwd, else the first workspace folder; `--stdio` appended. */
  function startLikeTheClient(command: ServerCommand, cwd?: string): void {
    const options = command as Partial<ServerCommand>;
    spawnSync(command.command, [...command.args, '--stdio'], {
      cwd: cwd ?? options.cwd ?? workspace,
      input: '',
      timeout: 15_000,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  }

  beforeEach(function () {
    if (python === undefined) this.skip();
    fs.rmSync(marker, { force: true });
  });

  it('never imports it when agentLsp.server.python is set (Restricted Mode too)', () => {
    assert.ok(python !== undefined);
    const result = resolveServerCommand({ python }, realProbe(extensionDir, workspace));
    assert.ok(result.ok);
    startLikeTheClient(result.command);
    assert.equal(fs.existsSync(marker), false, 'the workspace package ran');
  });

  it('keeps it off sys.path through -I even when started inside the workspace', () => {
    assert.ok(python !== undefined);
    const result = resolveServerCommand({ python }, realProbe(extensionDir, workspace));
    assert.ok(result.ok);
    startLikeTheClient(result.command, workspace);
    assert.equal(fs.existsSync(marker), false, 'the workspace package ran');
  });

  it('does not import it while asking whether an interpreter has the package', () => {
    assert.ok(python !== undefined);
    // Even run from inside the folder, the probe is isolated: it answers "no" and runs nothing.
    assert.equal(pythonPackageProbe(workspace, 15_000)(python), false);
    assert.equal(fs.existsSync(marker), false, 'the workspace package ran');
  });
});
