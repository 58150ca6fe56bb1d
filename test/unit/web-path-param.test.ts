import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../../src/app";
import { pathParam } from "../../web/src/api/path-param";

const metrics = hc<AppType>("http://service.test").api.v1["streaming-analytics"].metrics[":name"];

describe("a typed name in a path parameter", () => {
  it.each([
    ["latency_ms", "/metrics/latency_ms"],
    ["a/b", "/metrics/a%2Fb"],
    ["p95 latency", "/metrics/p95%20latency"],
    ["checkout?step=2#x", "/metrics/checkout%3Fstep%3D2%23x"],
    ["50%", "/metrics/50%25"],
    ["été", "/metrics/%C3%A9t%C3%A9"],
  ])("%s stays one segment: %s", (name, path) => {
    const url = metrics.$url({ param: { name: pathParam(name) }, query: {} });
    expect(url.pathname).toBe(`/api/v1/streaming-analytics${path}`);
    expect(decodeURIComponent(url.pathname.split("/").at(-1) ?? "")).toBe(name);
  });
});
