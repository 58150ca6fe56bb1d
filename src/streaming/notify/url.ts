/**
 * Which URLs a channel may post to. https only; plain http to this machine (127.0.0.1, ::1,
 * localhost) only when the deployment allows it (ALLOW_HTTP_LOCALHOST_CHANNELS, for local
 * development and tests). Checked at creation and again before every attempt, so turning the
 * variable off also stops deliveries to channels created while it was on.
 */

const LOCAL_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Null when allowed, else the reason (for the problem's `errors`). */
export function channelUrlProblem(raw: string, allowHttpLocalhost: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not allowed";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname)) {
    return allowHttpLocalhost ? null : "http is only allowed for localhost when ALLOW_HTTP_LOCALHOST_CHANNELS is on";
  }
  return "must be an https URL";
}
