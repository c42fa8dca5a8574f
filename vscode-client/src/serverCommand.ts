// Decides how to start the agent-lsp server. Kept free of `vscode` imports so
// the unit tests can drive it with a fake file system and environment.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ServerSettings {
  /** `agentLsp.server.path`: an `agent-lsp` executable. */
  path?: string;
  /** `agentLsp.server.python`: an interpreter with the package installed. */
  python?: string;
}

export interface Probe {
  /** True when `file` exists, is a regular file and may be executed. */
  isExecutable(file: string): boolean;
  /** True when `python -I -c "import agent_lsp"`, run in `serverCwd`, succeeds for this interpreter. */
  pythonHasPackage(python: string): boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir: string;
  /** The first workspace folder's path, for `${workspaceFolder}`. */
  workspaceFolder?: string;
  /** False in Restricted Mode: `${workspaceFolder}` is then not expanded, so no setting can point into the folder. */
  trusted: boolean;
  /** The server's working directory: a folder outside every workspace (the extension's own). */
  serverCwd: string;
}

export type Source = 'agentLsp.server.path' | 'agentLsp.server.python' | 'PATH';

export interface ServerCommand {
  command: string;
  args: string[];
  source: Source;
  /**
   * Always set: without it vscode-languageclient starts the server in the first
   * workspace folder, and a Python started there may import the folder's code.
   */
  cwd: string;
}

export interface Rejected {
  source: Source;
  /** What was tried, as the user wrote it or as found. */
  tried: string;
  reason: string;
}

export type Resolution =
  | { ok: true; command: ServerCommand; rejected: Rejected[] }
  | { ok: false; rejected: Rejected[] };

/**
 * `-I` (isolated mode, Python 3.4 and later): neither the working directory nor
 * the script's folder goes on `sys.path`, and PYTHON* variables and the user's
 * site-packages are ignored. With plain `-m` the working directory comes first
 * on `sys.path`, so a folder holding `agent_lsp/__init__.py` would run its own code.
 */
export const PYTHON_ISOLATED_FLAGS = ['-I'] as const;

/** Arguments that start the server through an interpreter (vscode-languageclient appends `--stdio`). */
export const PYTHON_SERVER_ARGS = [...PYTHON_ISOLATED_FLAGS, '-m', 'agent_lsp'] as const;

/** Arguments that ask an interpreter whether it has the package, under the same isolation as the server. */
export const PYTHON_PROBE_ARGS = [...PYTHON_ISOLATED_FLAGS, '-c', 'import agent_lsp'] as const;

export type Expanded = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Expands `~` and `${workspaceFolder}`, which people write in settings by habit.
 * `${workspaceFolder}` only in a trusted workspace: in Restricted Mode a user
 * setting such as `${workspaceFolder}/.venv/bin/agent-lsp` would run the
 * untrusted folder's own program.
 */
export function expandPath(raw: string, probe: Pick<Probe, 'homeDir' | 'workspaceFolder' | 'trusted'>): Expanded {
  let value = raw.trim();
  if (value.includes('${workspaceFolder}')) {
    if (!probe.trusted) {
      return { ok: false, reason: 'it uses ${workspaceFolder}, which is not expanded in an untrusted workspace' };
    }
    if (probe.workspaceFolder === undefined) {
      return { ok: false, reason: 'it uses ${workspaceFolder} but no folder is open' };
    }
    value = value.split('${workspaceFolder}').join(probe.workspaceFolder);
  }
  if (value === '~') {
    return { ok: true, value: probe.homeDir };
  }
  if (value.startsWith('~/') || value.startsWith('~\\')) {
    return { ok: true, value: path.join(probe.homeDir, value.slice(2)) };
  }
  return { ok: true, value };
}

function isAbsolute(file: string, platform: NodeJS.Platform): boolean {
  return platform === 'win32' ? path.win32.isAbsolute(file) : path.posix.isAbsolute(file);
}

/** Finds `name` on PATH the way a shell would, including Windows' PATHEXT. */
export function findOnPath(name: string, probe: Probe): string | undefined {
  const isWindows = probe.platform === 'win32';
  const pathVar = probe.env.PATH ?? probe.env.Path ?? '';
  const separator = isWindows ? ';' : ':';
  const join = (dir: string, file: string): string =>
    isWindows ? path.win32.join(dir, file) : path.posix.join(dir, file);
  const extensions = isWindows
    ? (probe.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e.length > 0)
    : [''];
  for (const dir of pathVar.split(separator)) {
    // An empty or relative PATH entry (``, `.`, `node_modules/.bin`) means a
    // folder below the current directory; a language server must not pick up
    // whatever a repository put there.
    if (!isAbsolute(dir, probe.platform)) {
      continue;
    }
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (probe.isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

type Located = { ok: true; file: string } | { ok: false; reason: string };

/**
 * Turns a setting into a file to run: a bare name (`python3`) is looked up on
 * PATH as a terminal would; anything else must be a full path, because a
 * relative one would be resolved against whatever directory the process has.
 */
function locate(raw: string, probe: Probe, missing: string): Located {
  const expanded = expandPath(raw, probe);
  if (!expanded.ok) {
    return expanded;
  }
  const value = expanded.value;
  if (!value.includes('/') && !value.includes('\\')) {
    const found = findOnPath(value, probe);
    return found === undefined ? { ok: false, reason: missing } : { ok: true, file: found };
  }
  if (!isAbsolute(value, probe.platform)) {
    return { ok: false, reason: 'it is a relative path; give the full path' };
  }
  return probe.isExecutable(value) ? { ok: true, file: value } : { ok: false, reason: missing };
}

/**
 * Tries, in order: `agentLsp.server.path`, `agentLsp.server.python`, then
 * `agent-lsp` on PATH. A configured value that does not work is reported in
 * `rejected` even when a later way succeeds, so the caller can tell the user
 * that their setting was not used. Every command runs in `probe.serverCwd`,
 * never in a workspace folder.
 */
export function resolveServerCommand(settings: ServerSettings, probe: Probe): Resolution {
  const rejected: Rejected[] = [];
  const cwd = probe.serverCwd;

  const configuredPath = settings.path?.trim() ?? '';
  if (configuredPath.length > 0) {
    const located = locate(configuredPath, probe, 'no executable file is there');
    if (located.ok) {
      return { ok: true, command: { command: located.file, args: [], source: 'agentLsp.server.path', cwd }, rejected };
    }
    rejected.push({ source: 'agentLsp.server.path', tried: configuredPath, reason: located.reason });
  }

  const configuredPython = settings.python?.trim() ?? '';
  if (configuredPython.length > 0) {
    const located = locate(configuredPython, probe, 'no such interpreter');
    if (!located.ok) {
      rejected.push({ source: 'agentLsp.server.python', tried: configuredPython, reason: located.reason });
    } else if (!probe.pythonHasPackage(located.file)) {
      rejected.push({
        source: 'agentLsp.server.python',
        tried: configuredPython,
        reason: 'that interpreter cannot import agent_lsp in isolated mode (-I ignores PYTHONPATH and user site-packages)',
      });
    } else {
      return {
        ok: true,
        command: { command: located.file, args: [...PYTHON_SERVER_ARGS], source: 'agentLsp.server.python', cwd },
        rejected,
      };
    }
  }

  const onPath = findOnPath('agent-lsp', probe);
  if (onPath !== undefined) {
    return { ok: true, command: { command: onPath, args: [], source: 'PATH', cwd }, rejected };
  }
  rejected.push({ source: 'PATH', tried: 'agent-lsp', reason: 'not found on PATH' });
  return { ok: false, rejected };
}

/** The real `Probe.isExecutable`. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The real `Probe.pythonHasPackage`: the question is asked the way the server
 * will be started (isolated, outside the workspace), since importing a package
 * runs its code.
 */
export function pythonPackageProbe(cwd: string, timeoutMs: number): (python: string) => boolean {
  return (python) => {
    const result = spawnSync(python, [...PYTHON_PROBE_ARGS], { cwd, timeout: timeoutMs, stdio: 'ignore', windowsHide: true });
    return result.status === 0;
  };
}

/** One line per way that was tried, for the log and the notification. */
export function describeRejections(rejected: Rejected[]): string {
  return rejected
    .map((r) => (r.source === 'PATH' ? `agent-lsp is ${r.reason}` : `${r.source} "${r.tried}": ${r.reason}`))
    .join('; ');
}

/** The text of the notification shown when no way to start the server works. */
export function notFoundMessage(rejected: Rejected[]): string {
  return (
    'agent-lsp: cannot start the language server (' +
    describeRejections(rejected) +
    '). Install it with `pip install agent-lsp` (or `pip install <path of your agent-lsp clone>`), ' +
    'then reload, or point agentLsp.server.path at the agent-lsp executable, or agentLsp.server.python ' +
    'at a Python that has it.'
  );
}
