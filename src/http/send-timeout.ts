/**
 * The send timeout (ARGO_SEND_TIMEOUT_SECONDS): a response whose client accepts no bytes for that
 * long is cut. nginx's `send_timeout` means the same.
 *
 * Backpressure already bounds what such a response holds (the body stream stops pulling profiles
 * once the socket's buffer is full), but it holds it for as long as the client keeps the
 * connection open: a client that never reads would keep its query's look-ahead, its buffers and
 * its socket forever. Cutting the connection closes the response, which cancels the query (the
 * route's signal) and frees all of it.
 *
 * "Accepts no bytes" is measured on the socket: bytes are waiting in it (`writableLength > 0`) and
 * no write to the kernel completed since the last look (`bytesWritten - writableLength`, the bytes
 * whose writes completed, did not move). A server that is slow to produce (a cold query, a GDAC
 * stall) has nothing waiting, so it is never mistaken for a client that does not read: that is the
 * query deadline's business. One timer checks every watched response, so a watch costs a map entry.
 */
import type { ServerResponse } from 'node:http';

export interface SendWatchOptions {
  /** A response whose client accepts no bytes for this long is cut. */
  timeoutMs: number;
  /** How often the responses are looked at (default: a quarter of the timeout, at most 1 s). */
  checkEveryMs?: number;
  /** Called just before a stalled response's connection is closed (for the logs). */
  onStall?: (response: ServerResponse, details: StallDetails) => void;
}

export interface StallDetails {
  /** Time since the client last accepted bytes (or since the watch began), ms. */
  stalledMs: number;
  /** Bytes waiting in the socket for the client. */
  waitingBytes: number;
}

export interface SendWatch {
  /** Watches `response` until it closes. */
  watch(response: ServerResponse): void;
  /** Responses being watched (tests). */
  readonly size: number;
  /** Stops the timer (the app is closing). */
  close(): void;
}

interface Watched {
  /** Bytes whose write to the kernel completed, at the last progress seen. */
  sent: number;
  /** When progress (or an empty buffer) was last seen, ms. */
  since: number;
}

/** Longest pause between two looks: the timeout is enforced within this much. */
const MAX_CHECK_EVERY_MS = 1000;

export function createSendWatch({ timeoutMs, checkEveryMs, onStall }: SendWatchOptions): SendWatch {
  const every = checkEveryMs ?? Math.min(MAX_CHECK_EVERY_MS, Math.max(1, timeoutMs / 4));
  const watched = new Map<ServerResponse, Watched>();
  let timer: NodeJS.Timeout | undefined;

  const check = (): void => {
    const now = performance.now();
    for (const [response, state] of watched) {
      const socket = response.socket;
      // No socket yet (a pipelined response waiting its turn), or not a real one (app.inject).
      if (!socket || socket.destroyed || typeof socket.writableLength !== 'number') continue;
      const waiting = socket.writableLength;
      const sent = (socket.bytesWritten ?? 0) - waiting;
      if (waiting === 0 || sent !== state.sent) {
        state.sent = sent;
        state.since = now;
        continue;
      }
      const stalledMs = now - state.since;
      if (stalledMs < timeoutMs) continue;
      watched.delete(response);
      onStall?.(response, { stalledMs, waitingBytes: waiting });
      // The response's 'close' follows, which cancels the work behind it.
      socket.destroy();
    }
    if (watched.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    watch(response) {
      if (watched.has(response)) return;
      watched.set(response, { sent: 0, since: performance.now() });
      response.once('close', () => watched.delete(response));
      // The timer never keeps the process alive on its own.
      timer ??= setInterval(check, every).unref();
    },
    get size() {
      return watched.size;
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      watched.clear();
    },
  };
}
