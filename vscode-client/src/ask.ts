// The argument of the server command `agentLsp.askAgent`, and the quick pick
// of agents built from `agentLsp.listAgents`. Plain data in, plain data out.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface AskAgentArgs {
  uri: string;
  range?: Range;
  agent?: string;
  text?: string;
}

export interface EditorSnapshot {
  uri: string;
  /** The editor's current content, saved or not. */
  text: string;
  selection?: Range;
}

function isEmptyRange(range: Range): boolean {
  return range.start.line === range.end.line && range.start.character === range.end.character;
}

/**
 * The text is always sent: the server may not have the document open (it only
 * syncs agent files), and the file on disk may be older than the editor.
 * An empty selection is a cursor, not a question about a part of the file.
 */
export function buildAskArgs(editor: EditorSnapshot, agent?: string): AskAgentArgs {
  const args: AskAgentArgs = { uri: editor.uri, text: editor.text };
  if (editor.selection !== undefined && !isEmptyRange(editor.selection)) {
    args.range = {
      start: { line: editor.selection.start.line, character: editor.selection.start.character },
      end: { line: editor.selection.end.line, character: editor.selection.end.character },
    };
  }
  if (agent !== undefined && agent.length > 0) {
    args.agent = agent;
  }
  return args;
}

export interface AgentInfo {
  name: string;
  description: string;
  path: string;
  model?: string;
}

export interface AgentPickItem {
  label: string;
  description?: string;
  detail?: string;
  agent: string;
}

/** Accepts only well-formed entries of the server's answer; anything else is dropped, not shown half-broken. */
export function parseAgentList(value: unknown): AgentInfo[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const agents: AgentInfo[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, description, path, model } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || name.length === 0) continue;
    agents.push({
      name,
      description: typeof description === 'string' ? description : '',
      path: typeof path === 'string' ? path : '',
      ...(typeof model === 'string' && model.length > 0 ? { model } : {}),
    });
  }
  return agents;
}

/** One line per agent: name, model, and the first line of its description. */
export function toPickItems(agents: AgentInfo[]): AgentPickItem[] {
  return [...agents]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((agent) => {
      const firstLine = agent.description.split(/\r?\n/, 1)[0]?.trim() ?? '';
      return {
        label: agent.name,
        agent: agent.name,
        ...(agent.model !== undefined ? { description: agent.model } : {}),
        ...(firstLine.length > 0 ? { detail: firstLine } : {}),
      };
    });
}

export const UNTRUSTED_MESSAGE =
  'agent-lsp sends nothing to the Anthropic API from an untrusted workspace. Trust this workspace to ask an agent.';
