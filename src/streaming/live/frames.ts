/**
 * Protocol constants with no dependencies, so the dashboard can use them without bundling zod
 * (`protocol.ts` re-exports them alongside the schemas).
 */

/** The exact frames of the runtime's auto-response: only this spelling is answered without a wake-up. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Largest client frame the object reads; larger ones close the socket with 1009 (Message Too Big). */
export const MAX_CLIENT_FRAME_BYTES = 4096;
/** Most event types one `subscribe` may name. */
export const MAX_SUBSCRIBED_TYPES = 20;

export const CLOSE_CODES = {
  /** The client sent a frame over MAX_CLIENT_FRAME_BYTES. */
  messageTooBig: 1009,
  /** The socket's saved state is from a deployment this code cannot read: reconnect. */
  serviceRestart: 1012,
} as const;
