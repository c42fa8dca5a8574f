import * as assert from 'node:assert/strict';
import { expandPath, findOnPath, notFoundMessage, resolveServerCommand } from '../../src/serverCommand';
import { fakeProbe } from './fakes';

describe('server command resolution', () => {
  it('uses agentLsp.server.path when it names an executable, without looking further', () => {
    const probe = fakeProbe({
      executables: ['/opt/agent-lsp/bin/agent-lsp', '/usr/bin/agent-lsp'],
      path: '/usr/bin',
    });
    const result = resolveServerCommand({ path: '/opt/agent-lsp/bin/agent-lsp', python: '/usr/bin/python3' }, probe);
    assert.deepEqual(result, {
      ok: true,
      command: { command: '/opt/agent-lsp/bin/agent-lsp', args: [], source: 'agentLsp.server.path' },
      rejected: [],
    });
    assert.deepEqual(probe.pythonChecks, [], 'the interpreter is not probed when the path setting works');
  });

  it('starts `python -m agent_lsp` when only agentLsp.server.python is set and it has the package', () => {
    const probe = fakeProbe({ executables: ['/venv/bin/python'], pythonsWithPackage: ['/venv/bin/python'] });
    const result = resolveServerCommand({ path: '', python: '/venv/bin/python' }, probe);
    assert.ok(result.ok);
    assert.deepEqual(result.command, {
      command: '/venv/bin/python',
      args: ['-m', 'agent_lsp'],
      source: 'agentLsp.server.python',
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
    assert.deepEqual(result.rejected, [
      { source: 'agentLsp.server.python', tried: '/usr/bin/python3', reason: 'that interpreter cannot import agent_lsp' },
    ]);
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
    assert.equal(expandPath('~/bin/agent-lsp', probe), '/home/dev/bin/agent-lsp');
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
