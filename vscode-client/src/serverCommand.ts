// Decides how to start the agent-lsp server. Kept free of `vscode` imports so
// the unit tests can drive it with a fake file system and environment.

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
  /** True when `python -c "import agent_lsp"` succeeds for this interpreter. */
  pythonHasPackage(python: string): boolean;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homeDir: string;
  /** The first workspace folder's path, for `${workspaceFolder}`. */
  workspaceFolder?: string;
}

export type Source = 'agentLsp.server.path' | 'agentLsp.server.python' | 'PATH';

export interface ServerCommand {
  command: string;
  args: string[];
  source: Source;
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

/** Expands `~` and `${workspaceFolder}`, which people write in settings by habit. */
export function expandPath(raw: string, probe: Pick<Probe, 'homeDir' | 'workspaceFolder'>): string | undefined {
  let value = raw.trim();
  if (value.includes('${workspaceFolder}')) {
    if (probe.workspaceFolder === undefined) {
      return undefined;
    }
    value = value.split('${workspaceFolder}').join(probe.workspaceFolder);
  }
  if (value === '~') {
    return probe.homeDir;
  }
  if (value.startsWith('~/') || value.startsWith('~\\')) {
    return path.join(probe.homeDir, value.slice(2));
  }
  return value;
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
    // An empty PATH entry means the current directory in POSIX shells; a
    // language server must not pick up whatever sits in the cwd.
    if (dir.length === 0) {
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

/**
 * Tries, in order: `agentLsp.server.path`, `agentLsp.server.python`, then
 * `agent-lsp` on PATH. A configured value that does not work is reported in
 * `rejected` even when a later way succeeds, so the caller can tell the user
 * that their setting was not used.
 */
export function resolveServerCommand(settings: ServerSettings, probe: Probe): Resolution {
  const rejected: Rejected[] = [];

  const configuredPath = settings.path?.trim() ?? '';
  if (configuredPath.length > 0) {
    const expanded = expandPath(configuredPath, probe);
    if (expanded === undefined) {
      rejected.push({
        source: 'agentLsp.server.path',
        tried: configuredPath,
        reason: 'it uses ${workspaceFolder} but no folder is open',
      });
    } else if (!probe.isExecutable(expanded)) {
      rejected.push({
        source: 'agentLsp.server.path',
        tried: configuredPath,
        reason: 'no executable file is there',
      });
    } else {
      return { ok: true, command: { command: expanded, args: [], source: 'agentLsp.server.path' }, rejected };
    }
  }

  const configuredPython = settings.python?.trim() ?? '';
  if (configuredPython.length > 0) {
    const expanded = expandPath(configuredPython, probe);
    // A bare name such as `python3` is looked up on PATH, as a terminal would.
    const isBareName = expanded !== undefined && !expanded.includes('/') && !expanded.includes('\\');
    const interpreter = expanded === undefined ? undefined : isBareName ? findOnPath(expanded, probe) : expanded;
    if (expanded === undefined) {
      rejected.push({
        source: 'agentLsp.server.python',
        tried: configuredPython,
        reason: 'it uses ${workspaceFolder} but no folder is open',
      });
    } else if (interpreter === undefined || !probe.isExecutable(interpreter)) {
      rejected.push({ source: 'agentLsp.server.python', tried: configuredPython, reason: 'no such interpreter' });
    } else if (!probe.pythonHasPackage(interpreter)) {
      rejected.push({
        source: 'agentLsp.server.python',
        tried: configuredPython,
        reason: 'that interpreter cannot import agent_lsp',
      });
    } else {
      return {
        ok: true,
        command: { command: interpreter, args: ['-m', 'agent_lsp'], source: 'agentLsp.server.python' },
        rejected,
      };
    }
  }

  const onPath = findOnPath('agent-lsp', probe);
  if (onPath !== undefined) {
    return { ok: true, command: { command: onPath, args: [], source: 'PATH' }, rejected };
  }
  rejected.push({ source: 'PATH', tried: 'agent-lsp', reason: 'not found on PATH' });
  return { ok: false, rejected };
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
