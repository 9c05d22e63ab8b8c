// The UI's one door to the shell. Only this folder imports `@tauri-apps/*`: screens call `ipc.*`
// (which throws `IpcError`) and `onEvent`, so swapping the transport or mocking it in tests
// touches nothing else.
import { open, save } from "@tauri-apps/plugin-dialog";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { commands, events } from "./bindings";
import type { ErrorCode } from "./bindings";

export type * from "./bindings";

/** What a generated command resolves to (tauri-specta's typed-error mode). */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

/** The core's stable codes, plus the one the UI raises when the shell does not answer. */
export type IpcErrorCode = ErrorCode | "ipc_failed";

/** A command's refusal or failure, with the core's stable `code()`. */
export class IpcError extends Error {
  readonly code: IpcErrorCode;
  constructor(code: IpcErrorCode, message: string) {
    super(message);
    this.name = "IpcError";
    this.code = code;
  }
}

/** Turns whatever a command threw or returned as its error into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    // The shell serialises `ErrorCode`; anything else reaching here is passed on as it came.
    return new IpcError(String((e as { code: unknown }).code) as ErrorCode, String((e as { message: unknown }).message));
  }
  if (e instanceof Error) return new IpcError("ipc_failed", e.message);
  return new IpcError("ipc_failed", String(e));
}

async function unwrap<T>(pending: Promise<Result<T, unknown> | T>): Promise<T> {
  let result: Result<T, unknown> | T;
  try {
    result = await pending;
  } catch (e) {
    throw toIpcError(e);
  }
  // Bindings generated with the "throw" error mode return the value itself.
  if (result && typeof result === "object" && "status" in result) {
    const r = result as Result<T, unknown>;
    if (r.status === "ok") return r.data;
    if (r.status === "error") throw toIpcError(r.error);
  }
  return result as T;
}

type Commands = typeof commands;
type OkData<R> = R extends { status: "ok"; data: infer T } ? T : never;
type Value<R> = [R] extends [{ status: "ok" } | { status: "error" }] ? OkData<R> : R;
type Unwrapped<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Value<R>> : never;
export type Ipc = { [K in keyof Commands]: Unwrapped<Commands[K]> };

/** Every generated command, with its `Result` unwrapped into a value or a thrown `IpcError`. */
export const ipc: Ipc = new Proxy({} as Ipc, {
  get(_, name: string) {
    const command = (commands as Record<string, (...args: unknown[]) => Promise<unknown>>)[name];
    if (!command) throw new Error(`unknown command ${name}`);
    return (...args: unknown[]) => unwrap(command(...args));
  },
});

type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = Parameters<Parameters<Events[K]["listen"]>[0]>[0]["payload"];

/**
 * Subscribes to a pushed event; returns the unsubscribe function at once (the listener attaches
 * asynchronously, and an early unsubscribe still detaches it).
 */
export function onEvent<K extends EventName>(name: K, handler: (payload: EventPayload<K>) => void): () => void {
  let stopped = false;
  let stop: (() => void) | undefined;
  const listen = events[name].listen as (cb: (e: { payload: EventPayload<K> }) => void) => Promise<() => void>;
  listen((e) => handler(e.payload)).then(
    (unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    },
    () => undefined,
  );
  return () => {
    stopped = true;
    stop?.();
  };
}

/** The native save dialog; `null` when the operator cancels. */
export async function chooseSavePath(defaultPath: string, filter?: { name: string; extensions: string[] }): Promise<string | null> {
  try {
    return await save({ defaultPath, filters: filter ? [filter] : undefined });
  } catch (e) {
    throw toIpcError(e);
  }
}

/** The native open dialog for one file; `null` when the operator cancels (needs `dialog:allow-open`). */
export async function chooseOpenPath(filter: { name: string; extensions: string[] }): Promise<string | null> {
  try {
    const picked = await open({ multiple: false, directory: false, filters: [filter] });
    return typeof picked === "string" ? picked : null;
  } catch (e) {
    throw toIpcError(e);
  }
}

/** What a file dragged over the window is doing: hovering (`over`), left, or dropped with its paths. */
export type FileDrop = { kind: "over" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

/**
 * Files dragged from the desktop onto the window (Tauri's webview drag-drop event gives their
 * paths, which the browser's own drop event does not); returns the unsubscribe function at
 * once. Outside Tauri (plain browser, tests without a window) it listens to nothing.
 */
export function onFileDrop(handler: (d: FileDrop) => void): () => void {
  let stopped = false;
  let stop: (() => void) | undefined;
  try {
    getCurrentWebview()
      .onDragDropEvent((e) => {
        const p = e.payload;
        if (p.type === "drop") handler({ kind: "drop", paths: p.paths });
        else if (p.type === "leave") handler({ kind: "leave" });
        else handler({ kind: "over" });
      })
      .then(
        (unlisten) => {
          if (stopped) unlisten();
          else stop = unlisten;
        },
        () => undefined,
      );
  } catch {
    // Not inside a Tauri webview: nothing can be dropped with a path.
  }
  return () => {
    stopped = true;
    stop?.();
  };
}

/** Mirrors the environment into the native window title (needs `core:window:allow-set-title`). */
export function setWindowTitle(title: string): void {
  document.title = title;
  try {
    getCurrentWindow()
      .setTitle(title)
      .catch(() => undefined);
  } catch {
    // Not inside Tauri (tests, plain browser): the document title is all there is.
  }
}
