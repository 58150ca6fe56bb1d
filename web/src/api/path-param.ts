/**
 * hono/client (4.13) puts a `param` into the path as given, unencoded: a metric named `a/b` became
 * two path segments and a 404. Every value a person typed (metric names) goes through this; ids the
 * server minted (UUIDs) need not. test/unit/web-path-param.test.ts fails if the client starts
 * encoding by itself (the name would then be encoded twice).
 */
export const pathParam = (value: string): string => encodeURIComponent(value);
