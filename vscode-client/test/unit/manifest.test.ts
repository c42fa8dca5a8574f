// Checks on package.json: the parts of the extension that VS Code reads
// without running any of our code.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { toServerOptions, USER_ONLY_KEYS } from '../../src/settings';

interface Property {
  type?: string | string[];
  default?: unknown;
  scope?: string;
  description?: string;
  markdownDescription?: string;
}

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string }[];
    menus: { 'editor/context': { command: string }[] };
    configuration: { properties: Record<string, Property> };
  };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

/** The settings that choose the server executable, where the key is sent and where answers are written. */
const USER_ONLY = ['agentLsp.server.path', 'agentLsp.server.python', 'agentLsp.baseUrl', 'agentLsp.answersDir'];

describe('package.json', () => {
  it('contributes every setting the server reads, each with a description and a scope', () => {
    const expected = [
      'agentLsp.server.path',
      'agentLsp.server.python',
      'agentLsp.models',
      'agentLsp.defaultModel',
      'agentLsp.modelOverride',
      'agentLsp.maxTokens',
      'agentLsp.baseUrl',
      'agentLsp.timeoutSeconds',
      'agentLsp.maxInputBytes',
      'agentLsp.agentGlobs',
      'agentLsp.rateLimitPerMinute',
      'agentLsp.answersDir',
      'agentLsp.trace.server',
      'agentLsp.agentTools',
      'agentLsp.maxTurns',
      'agentLsp.tokenBudget',
      'agentLsp.vscodeAgentChecks',
    ];
    assert.deepEqual(Object.keys(properties).sort(), [...expected].sort());
    for (const [key, property] of Object.entries(properties)) {
      const text = property.markdownDescription ?? property.description ?? '';
      assert.ok(text.length > 20, `${key} needs a description`);
      assert.ok(property.scope !== undefined, `${key} needs a scope`);
    }
  });

  it('has no setting that could hold the API key', () => {
    assert.equal(
      Object.keys(properties).some((key) => /key|secret|token$/i.test(key) && key !== 'agentLsp.maxTokens'),
      false,
    );
  });

  it('sends the contributed defaults to the server as valid values', () => {
    // Rebuild the nested section VS Code hands the extension from the flat defaults.
    const section: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(properties)) {
      const parts = key.split('.').slice(1);
      let node = section;
      for (const part of parts.slice(0, -1)) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
      node[parts.at(-1) ?? ''] = property.default;
    }
    const options = toServerOptions(section, true);
    assert.equal(options.maxTokens, properties['agentLsp.maxTokens']?.default);
    assert.equal(options.timeoutSeconds, properties['agentLsp.timeoutSeconds']?.default);
    assert.equal(options.rateLimitPerMinute, properties['agentLsp.rateLimitPerMinute']?.default);
    assert.equal(options.agentTools, properties['agentLsp.agentTools']?.default);
    assert.equal(options.maxTurns, properties['agentLsp.maxTurns']?.default);
    assert.equal(options.tokenBudget, properties['agentLsp.tokenBudget']?.default);
    assert.equal(options.baseUrl, undefined, 'an empty base URL must leave ANTHROPIC_BASE_URL in charge');
  });

  it('activates on Markdown, on VS Code\'s agent language and ours (agents, skills), and on workspaces with agents or a plugin', () => {
    assert.deepEqual(manifest.activationEvents, [
      'onLanguage:markdown',
      'onLanguage:chatagent',
      'workspaceContains:**/.claude/agents/**/*.md',
      'workspaceContains:**/.claude-plugin/plugin.json',
      'onLanguage:claude-agent',
      'onLanguage:claude-skill',
    ]);
  });

  it('declares limited support for untrusted workspaces and fences off the settings that pick what runs', () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    for (const key of USER_ONLY) {
      assert.ok(trust.restrictedConfigurations?.includes(key), `${key} must be restricted`);
    }
  });

  // Issue 15, finding 9: these were `machine-overridable`, so a trusted folder's
  // .vscode/settings.json could set baseUrl and receive the stored key.
  it('lets only the user\'s own settings choose what runs and where the key goes', () => {
    for (const key of USER_ONLY) {
      assert.equal(properties[key]?.scope, 'machine', `${key} must not be settable by a workspace or folder`);
    }
    assert.deepEqual(
      [...USER_ONLY_KEYS].map((key) => `agentLsp.${key}`),
      USER_ONLY,
      'the code that reads the settings filters the same keys',
    );
  });

  it('puts both ask commands in the editor context menu', () => {
    const inMenu = manifest.contributes.menus['editor/context'].map((m) => m.command);
    assert.deepEqual(inMenu, ['agentLsp.askArchitect', 'agentLsp.askAgentPick']);
  });

  it('uses command ids that cannot clash with the server\'s own commands', () => {
    // vscode-languageclient registers the server's executeCommand ids as VS Code
    // commands; a contributed command with the same id would fail to register.
    const serverCommands = ['agentLsp.askAgent', 'agentLsp.listAgents', 'agentLsp.setApiKey'];
    for (const { command } of manifest.contributes.commands) {
      assert.equal(serverCommands.includes(command), false, `${command} is also a server command`);
    }
  });
});

describe('the packaged extension', () => {
  // What `vsce package` puts in the .vsix (.vscodeignore decides): a file the manifest names but the
  // package leaves out breaks that contribution only for users of the .vsix (the claude-skill grammar did).
  const raw = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
    main: string;
    contributes: {
      languages?: { configuration?: string; icon?: { light: string; dark: string } }[];
      grammars?: { path: string }[];
    };
  };
  const packaged = execFileSync(join(__dirname, '../../node_modules/.bin/vsce'), ['ls', '--no-dependencies'], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
  })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

  it('holds every file the manifest names', () => {
    // The bundle is built at packaging time (not before the unit tests): .vscodeignore must let it in.
    const ignore = readFileSync(join(__dirname, '../../.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes(`!${raw.main.replace(/^\.\//, '')}`), `${raw.main} is not let into the package`);
    const named = new Set<string>();
    for (const language of raw.contributes.languages ?? []) {
      if (language.configuration) named.add(language.configuration);
      if (language.icon) named.add(language.icon.light).add(language.icon.dark);
    }
    for (const grammar of raw.contributes.grammars ?? []) named.add(grammar.path);
    for (const path of named) {
      assert.ok(packaged.includes(path.replace(/^\.\//, '')), `${path} is not in the package`);
    }
  });

  it("has a README whose images vsce can package (no path outside the extension's folder)", () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1] ?? '');
    for (const image of images) {
      assert.ok(/^https:\/\//.test(image) || !image.startsWith('..'), `README image ${image} lies outside the package`);
    }
  });
});
