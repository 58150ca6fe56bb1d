/**
 * Which URLs a channel may post to. https only, to a public host: a channel is a request the
 * service makes on an organization's behalf, so it must not reach this machine or a private
 * network (server-side request forgery). Plain http, and https too, to this machine (127.0.0.1,
 * ::1, localhost) only when the deployment allows it (ALLOW_HTTP_LOCALHOST_CHANNELS, for local
 * development and tests). Checked at creation and again before every attempt, so turning the
 * variable off also stops deliveries to channels created while it was on.
 *
 * The host is read after WHATWG URL parsing, which already turns every spelling of an IPv4
 * address (`127.1`, `0x7f000001`, `2130706433`) into dotted decimal and compresses IPv6, so each
 * range is checked once. A public name that resolves to a private address cannot be seen here
 * (Workers have no DNS lookup); on Cloudflare, fetch() does not reach private networks anyway.
 */

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** IPv4 ranges no channel may reach: [first octets as a number, prefix length], RFC 6890 and friends. */
const BLOCKED_V4: readonly [number, number, number, number, number][] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private
  [100, 64, 0, 0, 10], // carrier-grade NAT
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local (cloud metadata services live here)
  [172, 16, 0, 0, 12], // private
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 168, 0, 0, 16], // private
  [198, 18, 0, 0, 15], // benchmarking
  [224, 0, 0, 0, 3], // multicast, reserved and broadcast (224.0.0.0 and up)
];

function v4Number(host: string): number | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function blockedV4(address: number): boolean {
  return BLOCKED_V4.some(([a, b, c, d, bits]) => {
    const base = ((a * 256 + b) * 256 + c) * 256 + d;
    const size = 2 ** (32 - bits);
    return address >= base && address < base + size;
  });
}

/** The eight 16-bit groups of an IPv6 literal as the URL parser serializes it (hex, `::` once at most). */
function hextets(host: string): number[] {
  const [head = "", tail] = host.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** An IPv6 literal (without brackets) that points at this machine or a non-public network. */
function blockedV6(host: string): boolean {
  if (host === "::" || host === "::1") return true;
  // IPv4-mapped and -translated forms (::ffff:7f00:1 is 127.0.0.1): judge the IPv4 address.
  const mapped = /^::(?:ffff(?::0)?:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped)
    return blockedV4(Number.parseInt(mapped[1] as string, 16) * 65536 + Number.parseInt(mapped[2] as string, 16));
  const [first = 0, second = 0, third = 0, , , , seventh = 0, eighth = 0] = hextets(host);
  // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits: 2002:a9fe:a9fe:: is 169.254.169.254.
  if (first === 0x2002) return blockedV4(second * 65536 + third);
  // Teredo (2001:0::/32) carries its client's IPv4 address in the last 32 bits, inverted.
  if (first === 0x2001 && second === 0) return blockedV4((0xffffffff - (seventh * 65536 + eighth)) >>> 0);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xff00) === 0xff00 || // multicast ff00::/8
    first === 0x64 // 64:ff9b::/96 NAT64 and the like carry IPv4 addresses
  );
}

/** True for a host a channel must not reach: this machine, a private network, or a local name. */
function privateHost(hostname: string): boolean {
  const host = hostname.replace(/\.$/, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host.startsWith("[")) return blockedV6(host.slice(1, -1));
  const v4 = v4Number(host);
  return v4 !== null && blockedV4(v4);
}

/** Null when allowed, else the reason (for the problem's `errors`). */
export function channelUrlProblem(raw: string, allowHttpLocalhost: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a valid URL";
  }
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not allowed";
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https URL";
  if (allowHttpLocalhost && LOOPBACK_NAMES.has(url.hostname)) return null;
  if (url.protocol === "http:") {
    return LOOPBACK_NAMES.has(url.hostname)
      ? "http is only allowed for localhost when ALLOW_HTTP_LOCALHOST_CHANNELS is on"
      : "must be an https URL";
  }
  if (privateHost(url.hostname)) return "must be a public host (not this machine or a private network)";
  return null;
}
