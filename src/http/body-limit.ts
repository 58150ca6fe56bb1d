import { bodyLimit } from "hono/body-limit";
import { ProblemError } from "./problem";

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Rejects bodies over 1 MiB before anything parses them: it checks Content-Length up front and
 * counts streamed bytes when the length is unknown (chunked uploads).
 */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ProblemError("payload-too-large", `request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});
