import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  answerToSetting,
  CHOICE_COMMAND,
  CHOICE_SETTING,
  CLAUDE_CODE_VERSION,
  disagrees,
  DONT_ASK,
  type FileMarks,
  KEEP_BOTH,
  offer,
  offerMessage,
  OUR_LANGUAGE,
  OUR_SKILL_LANGUAGE,
  parseChoice,
  updatedAssociations,
  USE_OURS,
} from '../../src/builtinChecks';
import { agentDocumentSelector } from '../../src/settings';

// writer.md of the e2e workspace (`model: ` empty, line 5): VS Code shows an error and a
// warning on the line, agent-lsp one warning.
const WRITER: FileMarks = {
  uri: 'file:///ws/.claude/agents/writer.md',
  languageId: 'chatagent',
  marks: [
    { line: 4, severity: 'error', ours: false },
    { line: 4, severity: 'warning', ours: false },
    { line: 4, severity: 'warning', ours: true },
  ],
};
// Both say the same thing: one warning on line 4.
const SAME: FileMarks = {
  uri: 'file:///ws/.claude/agents/same.md',
  languageId: 'chatagent',
  marks: [
    { line: 3, severity: 'warning', ours: false },
    { line: 3, severity: 'warning', ours: true },
    { line: 7, severity: 'info', ours: true },
  ],
};
const CLEAN: FileMarks = { uri: 'file:///ws/.claude/agents/clean.md', languageId: 'chatagent', marks: [] };

describe("VS Code's own checks of agent files", () => {
  it('call a file disagreeing when the problems differ by line or by severity, never for infos', () => {
    assert.equal(disagrees(WRITER), true);
    assert.equal(disagrees(SAME), false);
    assert.equal(disagrees(CLEAN), false);
    const errorVsWarning: FileMarks = {
      ...CLEAN,
      marks: [
        { line: 2, severity: 'error', ours: false },
        { line: 2, severity: 'warning', ours: true },
      ],
    };
    assert.equal(disagrees(errorVsWarning), true);
    // VS Code silent where agent-lsp (Claude Code) sees a problem is a disagreement too.
    assert.equal(disagrees({ ...CLEAN, marks: [{ line: 5, severity: 'warning', ours: true }] }), true);
  });

  it('are offered once per workspace, only while the choice is "ask" and a file disagrees', () => {
    const files = [WRITER, SAME, CLEAN];
    assert.deepEqual(offer({ choice: 'ask', askedHere: false }, files), { differing: 1, total: 3 });
    assert.equal(offer({ choice: 'ask', askedHere: true }, files), undefined);
    assert.equal(offer({ choice: 'both', askedHere: false }, files), undefined);
    assert.equal(offer({ choice: 'agentLspOnly', askedHere: false }, files), undefined);
    assert.equal(offer({ choice: 'ask', askedHere: false }, [SAME, CLEAN]), undefined);
  });

  it('count only files VS Code checks itself (a deeper agent file stays Markdown)', () => {
    const deeper: FileMarks = { ...WRITER, uri: 'file:///ws/.claude/agents/team/w.md', languageId: 'markdown' };
    assert.deepEqual(offer({ choice: 'ask', askedHere: false }, [WRITER, deeper]), { differing: 1, total: 1 });
    assert.equal(offer({ choice: 'ask', askedHere: false }, [deeper]), undefined);
  });

  it('say what differs, with the numbers and the Claude Code version', () => {
    assert.equal(
      offerMessage(3, 7),
      `VS Code also checks agent files, with value lists older than Claude Code ${CLAUDE_CODE_VERSION}: ` +
        "it disagrees with Claude Code on 3 of 7 files here. Show only the checks of agent-lsp, which follow that version?",
    );
    assert.match(offerMessage(1, 1), /1 of 1 file here/);
  });

  it('store each answer: ours or both in the workspace, "don\'t ask again" as both for the user', () => {
    assert.deepEqual(answerToSetting(USE_OURS), { choice: 'agentLspOnly', target: 'workspace' });
    assert.deepEqual(answerToSetting(KEEP_BOTH), { choice: 'both', target: 'workspace' });
    assert.deepEqual(answerToSetting(DONT_ASK), { choice: 'both', target: 'user' });
    assert.equal(answerToSetting(undefined), undefined); // closed without an answer: nothing changes
  });

  it('read an unknown setting value as "ask"', () => {
    assert.equal(parseChoice('agentLspOnly'), 'agentLspOnly');
    assert.equal(parseChoice('both'), 'both');
    assert.equal(parseChoice('yes'), 'ask');
    assert.equal(parseChoice(undefined), 'ask');
  });
});

const OURS = { '**/.claude/agents/*.md': OUR_LANGUAGE, '**/.claude/skills/*/SKILL.md': OUR_SKILL_LANGUAGE };

describe('files.associations for "Use agent-lsp\'s checks"', () => {
  it("adds our entries (agents and skills) next to the user's own, and takes out only ours", () => {
    const user = { '*.mdx': 'markdown' };
    const added = updatedAssociations(user, 'agentLspOnly');
    assert.deepEqual(added, { '*.mdx': 'markdown', ...OURS });
    assert.equal(updatedAssociations(added, 'agentLspOnly'), undefined); // already there: no write
    assert.deepEqual(updatedAssociations(added, 'both'), user);
    assert.deepEqual(updatedAssociations(added, 'ask'), user);
    assert.equal(updatedAssociations(user, 'both'), undefined);
    assert.deepEqual(updatedAssociations(undefined, 'agentLspOnly'), OURS);
    // One of ours already gone (removed by hand): the other is still taken out.
    assert.deepEqual(updatedAssociations({ '**/.claude/skills/*/SKILL.md': OUR_SKILL_LANGUAGE }, 'both'), {});
  });

  it('never overrides an association the user made for the same pattern', () => {
    const mine = { '**/.claude/agents/*.md': 'markdown' };
    assert.deepEqual(updatedAssociations(mine, 'agentLspOnly'), { ...mine, '**/.claude/skills/*/SKILL.md': OUR_SKILL_LANGUAGE });
    assert.equal(updatedAssociations(mine, 'both'), undefined);
    // A skill pattern associated with the other language of ours is the user's doing too.
    const crossed = { ...OURS, '**/.claude/skills/*/SKILL.md': OUR_LANGUAGE };
    assert.deepEqual(updatedAssociations(crossed, 'both'), { '**/.claude/skills/*/SKILL.md': OUR_LANGUAGE });
  });

  it('gives the files a language the language client still serves', () => {
    const selector = agentDocumentSelector([]);
    assert.ok(selector.some((f) => f.language === OUR_LANGUAGE && f.pattern === '**/.claude/agents/**/*.md'));
    assert.ok(selector.some((f) => f.language === OUR_SKILL_LANGUAGE && f.pattern === '**/SKILL.md'));
  });

  it('is contributed in package.json: the language with a Markdown grammar, the setting and the command', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
      contributes: {
        languages: { id: string }[];
        grammars: { language: string; path: string }[];
        commands: { command: string }[];
        configuration: { properties: Record<string, { default?: unknown; enum?: string[] }> };
        configurationDefaults: Record<string, Record<string, unknown> | undefined>;
      };
    };
    const c = manifest.contributes;
    for (const language of [OUR_LANGUAGE, OUR_SKILL_LANGUAGE]) {
      assert.ok(c.languages.some((l) => l.id === language), language);
      const grammar = c.grammars.find((g) => g.language === language);
      assert.ok(grammar, language);
      const tm = JSON.parse(readFileSync(join(__dirname, '../..', grammar.path), 'utf8')) as {
        patterns: { include: string }[];
      };
      assert.deepEqual(tm.patterns, [{ include: 'text.html.markdown' }]);
      // The editor settings VS Code gives its own `chatagent` and `skill` files (YAML frontmatter wants two spaces).
      const defaults = manifest.contributes.configurationDefaults[`[${language}]`];
      assert.equal(defaults?.['editor.insertSpaces'], true, language);
      assert.equal(defaults['editor.tabSize'], 2, language);
    }
    assert.ok(c.commands.some((cmd) => cmd.command === CHOICE_COMMAND));
    const setting = c.configuration.properties[CHOICE_SETTING];
    assert.equal(setting?.default, 'ask');
    assert.deepEqual(setting.enum, ['ask', 'agentLspOnly', 'both']);
  });
});
