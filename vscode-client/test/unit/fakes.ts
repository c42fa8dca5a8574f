// Small stand-ins for the parts of the VS Code API that the plain modules use.

import type { SecretStoreLike } from '../../src/apiKey';
import type { Probe } from '../../src/serverCommand';

/** An in-memory `vscode.SecretStorage`, recording every write so tests can see what was stored. */
export class MemorySecrets implements SecretStoreLike {
  readonly values = new Map<string, string>();
  readonly writes: string[] = [];

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  store(key: string, value: string): Promise<void> {
    this.writes.push(`store ${key}`);
    this.values.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.writes.push(`delete ${key}`);
    this.values.delete(key);
    return Promise.resolve();
  }
}

/** Where the fake extension is installed: the server's working directory. */
export const EXTENSION_DIR = '/home/dev/.vscode/extensions/agent-lsp.agent-lsp-0.1.0';

/** A file system with only the executables listed, and interpreters that may or may not have the package. */
export function fakeProbe(options: {
  executables?: string[];
  pythonsWithPackage?: string[];
  path?: string;
  platform?: NodeJS.Platform;
  workspaceFolder?: string;
  pathext?: string;
  /** Defaults to true; false stands for Restricted Mode. */
  trusted?: boolean;
}): Probe & { pythonChecks: string[] } {
  const executables = new Set(options.executables ?? []);
  const withPackage = new Set(options.pythonsWithPackage ?? []);
  const pythonChecks: string[] = [];
  return {
    isExecutable: (file) => executables.has(file),
    pythonHasPackage: (python) => {
      pythonChecks.push(python);
      return withPackage.has(python);
    },
    env: { PATH: options.path ?? '', ...(options.pathext !== undefined ? { PATHEXT: options.pathext } : {}) },
    platform: options.platform ?? 'linux',
    homeDir: '/home/dev',
    ...(options.workspaceFolder !== undefined ? { workspaceFolder: options.workspaceFolder } : {}),
    trusted: options.trusted ?? true,
    serverCwd: EXTENSION_DIR,
    pythonChecks,
  };
}
