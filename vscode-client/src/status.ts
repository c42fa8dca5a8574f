// Text and tooltip of the status bar item for each state of the server.

export type ServerState = 'starting' | 'running' | 'failed' | 'stopped';

export interface StatusLook {
  text: string;
  tooltip: string;
}

export function statusLook(state: ServerState, detail?: string): StatusLook {
  const suffix = detail !== undefined && detail.length > 0 ? `\n${detail}` : '';
  switch (state) {
    case 'starting':
      return { text: '$(sync~spin) agent-lsp', tooltip: `agent-lsp: starting the server${suffix}\nClick to show the log.` };
    case 'running':
      return { text: '$(check) agent-lsp', tooltip: `agent-lsp: server running${suffix}\nClick to show the log.` };
    case 'failed':
      return { text: '$(error) agent-lsp', tooltip: `agent-lsp: server failed${suffix}\nClick to show the log.` };
    case 'stopped':
      return { text: '$(circle-slash) agent-lsp', tooltip: `agent-lsp: server stopped${suffix}\nClick to show the log.` };
  }
}
