// Keeps secrets out of the output channel. With `agentLsp.trace.server: verbose`
// vscode-jsonrpc writes every request's parameters to the trace channel, the
// API key handed over by `agentLsp.setApiKey` among them; every line bound for
// the channel passes through here first. No `vscode` import, so the unit tests
// can drive it with the real vscode-jsonrpc tracer.

/** What a secret is replaced with. */
export const REDACTED = '<redacted>';

/**
 * Remembers the secrets of this session and blanks them out of text. A secret
 * can reach a log line raw, or inside a JSON string (text traces quote the
 * parameters once, JSON-format traces quote the whole message again), so each
 * quoted form is searched for too.
 */
export class SecretRedactor {
  private readonly forms = new Set<string>();
  /** The forms, longest first, so a secret that contains another is replaced whole. */
  private ordered: string[] = [];

  /** Adds a secret; kept for the life of the window, since an old key may still sit in a queued line. */
  add(secret: string | null | undefined): void {
    if (secret === null || secret === undefined || secret.length === 0) return;
    let form = secret;
    for (let depth = 0; depth < 3; depth++) {
      this.forms.add(form);
      // JSON.stringify escapes quotes, backslashes and control characters; drop the surrounding quotes.
      form = JSON.stringify(form).slice(1, -1);
    }
    this.ordered = [...this.forms].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.ordered) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  }
}

/** The methods of `vscode.LogOutputChannel` (and `OutputChannel`) that take text. */
const TEXT_METHODS = new Set(['append', 'appendLine', 'replace', 'trace', 'debug', 'info', 'warn', 'error']);

function redactArgument(redactor: SecretRedactor, value: unknown): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (value instanceof Error) return redactor.redact(value.stack ?? value.message);
  if (value === undefined || value === null || typeof value !== 'object') return value;
  // VS Code would format an object itself; format it here so the secret can be found.
  try {
    return redactor.redact(JSON.stringify(value));
  } catch {
    return REDACTED;
  }
}

/**
 * The same channel, with every text argument redacted. Used as both the
 * language client's output and trace channel, so its traces, its own log lines
 * and the server's stderr all pass through the redactor; everything else
 * (`logLevel`, `onDidChangeLogLevel`, `show`, `dispose`) is the channel's own.
 */
export function redactingChannel<T extends object>(channel: T, redactor: SecretRedactor): T {
  return new Proxy(channel, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property === 'string' && TEXT_METHODS.has(property)) {
        return (...args: unknown[]) => method.apply(target, args.map((arg) => redactArgument(redactor, arg)));
      }
      return method.bind(target);
    },
  });
}
