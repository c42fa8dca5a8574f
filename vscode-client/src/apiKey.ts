// Keeps the Anthropic API key in VS Code's SecretStorage and hands it to the
// server. The storage and the sender are passed in, so this module does not
// import `vscode` and the unit tests can use an in-memory store.

import type { SecretRedactor } from './redact';

/** The subset of `vscode.SecretStorage` this module uses. */
export interface SecretStoreLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Name of the secret; only this extension can read it. */
export const SECRET_NAME = 'agentLsp.anthropicApiKey';

/** Returns a reason to refuse what the user typed, or undefined when it can be stored. */
export function checkApiKeyInput(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    return 'The key is empty.';
  }
  // Keys are a single token; a space or line break means something else was pasted along with it.
  if (/\s/.test(trimmed)) {
    return 'The key must not contain spaces or line breaks.';
  }
  return undefined;
}

/** Sends `{apiKey}` to the server; null tells it to forget the key this client gave it. */
export type SendKey = (apiKey: string | null) => Promise<void>;

/** The server command that takes the key. */
export const SET_KEY_COMMAND = 'agentLsp.setApiKey';

/** The `workspace/executeCommand` parameters that hand the key over (or null to forget it). */
export function setApiKeyParams(apiKey: string | null): { command: string; arguments: [{ apiKey: string | null }] } {
  return { command: SET_KEY_COMMAND, arguments: [{ apiKey }] };
}

export class ApiKeyManager {
  /** What the running server last received from us; undefined: nothing since it started. */
  private lastSent: string | null | undefined;

  constructor(
    private readonly store: SecretStoreLike,
    private readonly send: SendKey,
    /** False while no server runs or while the workspace is untrusted. */
    private readonly canSend: () => boolean,
    /**
     * Learns every key this manager reads or stores, before the key can travel:
     * the request that carries it is traced when `agentLsp.trace.server` is on.
     */
    private readonly redactor: SecretRedactor,
  ) {}

  async get(): Promise<string | undefined> {
    const value = await this.store.get(SECRET_NAME);
    this.redactor.add(value);
    return value !== undefined && value.length > 0 ? value : undefined;
  }

  /** Stores a new key and passes it on. Throws, storing nothing, on input that checkApiKeyInput refuses. */
  async set(raw: string): Promise<void> {
    const problem = checkApiKeyInput(raw);
    if (problem !== undefined) {
      throw new Error(problem);
    }
    const key = raw.trim();
    this.redactor.add(key);
    await this.store.store(SECRET_NAME, key);
    await this.sync();
  }

  /** Forgets the key and tells a running server to forget it too. */
  async clear(): Promise<void> {
    await this.store.delete(SECRET_NAME);
    await this.sync();
  }

  /** A new server process knows nothing: forget what the old one was sent, then send the stored key. */
  async serverStarted(): Promise<boolean> {
    this.lastSent = undefined;
    return this.sync();
  }

  /**
   * Brings the server in line with the stored key; also called when another
   * window changes the secret. Sends nothing when the server already has that
   * value, and sends no null to a server that was never given a key, so one
   * started with ANTHROPIC_API_KEY in its environment keeps using it.
   * Returns true when something was sent.
   */
  async sync(): Promise<boolean> {
    if (!this.canSend()) {
      return false;
    }
    const key = (await this.get()) ?? null;
    if (key === this.lastSent || (key === null && this.lastSent === undefined)) {
      return false;
    }
    await this.send(key);
    this.lastSent = key;
    return true;
  }
}
