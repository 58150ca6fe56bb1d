/**
 * Seeded random inputs for the targeting differential fuzz (test/fuzz/targeting-fuzz.ts, and the
 * small version in test/unit/targeting-fuzz.test.ts): conditions over every operator with nesting,
 * dotted paths, arrays, type mismatches, missing fields, null, numbers as strings, versions with
 * pre-release and build parts, regexes drawn from the validated subset's grammar, unicode strings,
 * extreme numbers and -0; attribute objects drawn from the same vocabulary (so conditions hit);
 * flag configs and running, paused or completed experiments with user ids.
 *
 * Most conditions are meant to be valid; about one in eight is mutated into something the
 * validator should refuse, so both sides of validateCondition get exercised. Pure: the same seed
 * always gives the same cases (SeededRandom, never Math.random).
 */
import { VALUE_OPERATORS } from "../../src/targeting/model";
import { SeededRandom } from "../seeded-random";

/** The version comparisons, picked more often for version-like paths. */
const VERSION_OPERATORS = VALUE_OPERATORS.filter((op) => op.startsWith("$v"));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export class Gen {
  readonly rng: SeededRandom;
  /** Values of the case being generated: attributes and condition literals draw from them. */
  private pool: Json[] = [];

  constructor(seed: number) {
    this.rng = new SeededRandom(seed);
  }

  int(n: number): number {
    return this.rng.nextUint32() % n;
  }
  chance(p: number): boolean {
    return this.rng.uniform() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  // ---- scalars ------------------------------------------------------------------------------

  number(): number {
    return this.pick([
      () => this.int(7) - 3,
      () => 0,
      () => -0,
      () => this.pick([0.5, -0.5, 0.1 + 0.2, 0.3, 123.456, 30, 17, 65.5, 100, 1000]),
      () => this.pick([1e21, 1e-7, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308]),
      () => this.pick([2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 31, 2 ** 32 + 1, 1e300, -1e-300]),
      () => this.int(2000) / 100,
      // Not JSON, but 1e999 parses as Infinity (the routes' attributes may hold it; the validator
      // refuses it in a condition) and an SDK caller may pass NaN.
      () => (this.chance(0.2) ? this.pick([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) : 7),
    ])();
  }

  private static readonly CHARS = [
    "a",
    "b",
    "c",
    "A",
    "B",
    "z",
    "Z",
    "0",
    "1",
    "2",
    "9",
    "_",
    "-",
    ".",
    " ",
    "@",
    "/",
    "$",
    "^",
    "+",
    "é",
    "e\u0301",
    "ß",
    "İ",
    "ａ",
    "😀",
    "中",
    "\n",
    "\r",
    "\t",
    "\u2028",
    "\u0085",
    "\u00a0",
    "\ufeff",
    "\u000b",
    "\u0000",
    "~",
    "v",
    "x",
    "\uffff",
  ];

  string(): string {
    if (this.chance(0.4)) {
      return this.pick([
        "",
        "a",
        "A",
        "abc",
        "US",
        "CA",
        "FR",
        "30",
        "30.0",
        "1.0",
        "1e3",
        "-0",
        "true",
        "null",
        "NaN",
        "Infinity",
        "é",
        "José",
        "😀",
        "\u0000",
        "\n",
        " ",
        "user_1",
        "beta",
        "mobile",
        "ana@example.com",
      ]);
    }
    // A lone surrogate now and then: the routes refuse them, the SDKs may still be handed one.
    if (this.chance(0.01)) return this.pick(["\ud800", "a\udfff", "\udc00b"]);
    let s = "";
    const n = this.int(7);
    for (let i = 0; i < n; i++) s += this.pick(Gen.CHARS);
    return s;
  }

  version(): string {
    if (this.chance(0.15)) {
      return this.pick([
        "",
        "v",
        "0",
        "1",
        "v1",
        "V1.0.0",
        "1.0.0",
        "1.0",
        "1..0",
        ".1",
        "1.",
        "-",
        "1.0.0-",
        "1.0.0+",
        "+1",
        "1.0.0+build\n.9",
        "1.0.0+a\u2028b",
        "1.0.0 ",
        " 1.0.0",
        "1.2.3.4",
        "1.2.3.4.5",
        "١.٢.٣",
        "1.0.0-β",
        "01.002.0003",
        "123456.0.0",
        "99999.0.0",
        "100000.0.0",
        "1.0.0-rc.1+build.7",
        "v1.2.3+7",
        "vv1.0.0",
        "1.0.0-alpha.beta",
        "1.0.0-0",
        "1.0.0-~",
        "1-2-3",
        "1.0.0\n",
        "1.0.0+b+c",
      ]);
    }
    const parts: string[] = [];
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) parts.push(String(this.pick([0, 1, 2, 3, 9, 10, 11, 99, 100, 12345])));
    let v = parts.join(".");
    if (this.chance(0.3)) {
      v += `-${this.pick(["alpha", "beta", "rc", "RC", "beta.2", "beta.11", "rc.1", "0", "x-y", "pre.1.2"])}`;
    }
    if (this.chance(0.2)) v += `+${this.pick(["build", "build.5", "7", "a.b", "x\ny", ""])}`;
    if (this.chance(0.2)) v = `v${v}`;
    return v;
  }

  scalar(): Json {
    return this.pick([
      () => this.number(),
      () => this.string(),
      () => this.chance(0.5),
      () => null,
      () => String(this.number()), // numbers as strings
      () => this.version(),
    ])();
  }

  value(depth = 0): Json {
    if (this.pool.length > 0 && this.chance(0.35)) return this.pick(this.pool);
    if (depth >= 3 || this.chance(0.7)) return this.scalar();
    if (this.chance(0.6)) {
      const n = this.int(4);
      return Array.from({ length: n }, () => this.value(depth + 1));
    }
    const o: Obj = {};
    const n = this.int(3);
    for (let i = 0; i < n; i++) o[this.pick(["x", "y", "z", "code", "level", "a"])] = this.value(depth + 1);
    return o;
  }

  // ---- attributes ---------------------------------------------------------------------------

  private static readonly TOP = [
    "a",
    "b",
    "n",
    "s",
    "v",
    "tags",
    "arr",
    "o",
    "id",
    "é",
    "😀",
    "x",
    "toString",
    "constructor",
  ];

  attributes(): Obj {
    this.pool = Array.from({ length: 5 }, () => this.value(2));
    const attrs: Obj = {};
    for (const k of Gen.TOP) {
      if (!this.chance(0.45)) continue;
      switch (k) {
        case "n":
          attrs.n = this.chance(0.8) ? this.number() : this.scalar();
          break;
        case "s":
          attrs.s = this.chance(0.8) ? this.string() : this.scalar();
          break;
        case "v":
          attrs.v = this.chance(0.85) ? this.version() : this.scalar();
          break;
        case "tags":
          attrs.tags = this.chance(0.85)
            ? Array.from({ length: this.int(5) }, () =>
                this.chance(0.7) ? this.pick(["beta", "mobile", "a", "1", ""]) : this.value(2),
              )
            : this.value();
          break;
        case "arr":
          attrs.arr = Array.from({ length: this.int(4) }, () => (this.chance(0.7) ? this.elem() : this.value(2)));
          break;
        case "o":
          attrs.o = this.chance(0.8)
            ? { x: this.value(2), y: this.chance(0.6) ? { z: this.value(2) } : this.value(2) }
            : this.value();
          break;
        default:
          attrs[k] = this.value();
      }
    }
    // Dotted keys live as plain keys too: "x.0" is not an array index, "a.b" not a path.
    if (this.chance(0.05)) attrs["a.b"] = this.scalar();
    return attrs;
  }

  private elem(): Obj {
    const o: Obj = {};
    if (this.chance(0.8)) o.code = this.pick(["en", "fr", "de", this.string()]);
    if (this.chance(0.7)) o.level = this.chance(0.8) ? this.int(5) : this.scalar();
    if (this.chance(0.2)) o.tags = [this.scalar()];
    return o;
  }

  // ---- conditions ---------------------------------------------------------------------------

  /** Every top-level attribute, and paths into them, past them, or through what is not there. */
  private static readonly PATHS = [
    ...Gen.TOP,
    "o.x",
    "o.y",
    "o.y.z",
    "o.x.y",
    "x.0",
    "tags.0",
    "tags.length",
    "a.b",
    "missing",
    "missing.deeper",
  ];
  private static readonly ELEM_PATHS = ["code", "level", "tags", "missing", "code.x"];

  /** A condition, usually valid; `depth` bounds nesting well inside the validator's 12 levels. */
  condition(depth = 0, paths: readonly string[] = Gen.PATHS): Obj {
    const c: Obj = {};
    const n = depth === 0 ? 1 + this.int(3) : 1 + this.int(2);
    for (let i = 0; i < n; i++) {
      if (depth < 3 && this.chance(0.25)) {
        const op = this.pick(["$and", "$or", "$nor", "$not"]);
        if (op === "$not") c.$not = this.condition(depth + 1, paths);
        else c[op] = Array.from({ length: 1 + this.int(3) }, () => this.condition(depth + 1, paths));
      } else {
        const path = this.pick(paths);
        c[path] = this.valueCondition(depth + 1, path);
      }
    }
    if (depth === 0 && this.chance(0.12)) return this.mutate(c);
    return c;
  }

  /** A literal (equality) or an operator object for the attribute at `path`. */
  private valueCondition(depth: number, path: string): Json {
    if (this.chance(0.25)) return this.literal(path);
    const ops: Obj = {};
    const n = this.chance(0.8) ? 1 : 2;
    for (let i = 0; i < n; i++) {
      const [op, arg] = this.operator(depth, path);
      ops[op] = arg;
    }
    return ops;
  }

  private literal(path: string): Json {
    if (path === "v") return this.version();
    if (this.chance(0.1)) {
      const o: Obj = {};
      o.x = this.value(2); // a literal object, matched by deep equality
      return o;
    }
    return this.value(1);
  }

  private operator(depth: number, path: string): [string, Json] {
    const versionish = path === "v" || this.chance(0.1);
    const op = versionish && this.chance(0.6) ? this.pick(VERSION_OPERATORS) : this.pick(VALUE_OPERATORS);
    switch (op) {
      case "$eq":
      case "$ne":
        return [op, this.value(1)];
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        return [op, this.chance(0.5) ? this.number() : this.chance(0.7) ? this.string() : this.version()];
      case "$in":
      case "$nin":
        return [op, Array.from({ length: this.int(4) }, () => this.value(2))];
      case "$exists":
        return [op, this.chance(0.5)];
      case "$regex":
        return [op, this.regex()];
      case "$not":
        return [op, depth < 4 ? this.valueCondition(depth + 1, path) : this.value(2)];
      case "$size":
        return [
          op,
          this.chance(0.7) ? this.int(4) : { [this.pick(["$gt", "$lte", "$in", "$ne"])]: this.pick([1, 2, [0, 2]]) },
        ];
      case "$elemMatch":
        return [
          op,
          depth < 4 && this.chance(0.6)
            ? this.condition(depth + 1, Gen.ELEM_PATHS)
            : (this.valueCondition(depth + 1, "elem") as Obj),
        ];
      case "$all":
        return [
          op,
          Array.from({ length: this.int(3) }, () => (this.chance(0.3) ? { $regex: this.regex() } : this.value(2))),
        ];
      default:
        return [op, this.version() || "1.0.0"];
    }
  }

  /** Something the validator should refuse, planted somewhere in `c`. */
  private mutate(c: Obj): Obj {
    const bad = this.pick<Json>([
      { $foo: 1 },
      { $gt: null },
      { $gt: [1] },
      { $in: "US" },
      { $nin: 1 },
      { $exists: 1 },
      { $size: -1 },
      { $size: 1.5 },
      { $elemMatch: 1 },
      { $all: { x: 1 } },
      { $veq: "" },
      { $vgt: 2 },
      { $regex: 5 },
      { $regex: this.pick(["(a+)+", "(a|b)*", "(?=a)", "(a)\\1", "[", "a{2,1}", "\\p{L}", "a**", "[\\S]", "(?<n>a)"]) },
      { $gt: 1, plain: 2 },
    ]);
    const where = this.int(5);
    if (where === 0) return { ...c, [this.pick(["", "a..b", ".a", "a.", "__proto__.x", "o.__proto__"])]: 1 };
    if (where === 1) return { ...c, [this.pick(["$or", "$and", "$nor"])]: this.pick<Json>([[], {}, [1], "x"]) };
    if (where === 2) return { ...c, $not: this.pick<Json>([[1], "x", null]) };
    if (where === 3) return { ...c, $where: "1" };
    return { ...c, [this.pick(Gen.PATHS)]: bad };
  }

  // ---- regexes ------------------------------------------------------------------------------

  private static readonly REGEX_LITERALS = [
    "a",
    "b",
    "c",
    "A",
    "1",
    "_",
    "-",
    ",",
    " ",
    "é",
    "😀",
    "@",
    "/",
    "~",
    "#",
    "x",
  ];

  /** A pattern from the accepted subset's grammar (some still refused: nesting, size). */
  regex(depth = 0): string {
    const n = this.int(4) + (depth === 0 ? 1 : 0);
    let out = "";
    if (depth === 0 && this.chance(0.3)) out += "^";
    for (let i = 0; i < n; i++) {
      if (depth < 2 && this.chance(0.1)) {
        const alts = Array.from({ length: 1 + this.int(3) }, () => this.regex(depth + 1));
        out += `(${this.chance(0.5) ? "?:" : ""}${alts.join("|")})`;
      } else {
        out += this.regexAtom();
      }
      if (this.chance(0.35)) out += this.quantifier();
    }
    if (depth === 0 && this.chance(0.3)) out += "$";
    if (depth === 0 && this.chance(0.08)) out += `|${this.regex(1)}`;
    return out;
  }

  private regexAtom(): string {
    return this.pick([
      () => this.pick(Gen.REGEX_LITERALS),
      () => ".",
      () => this.pick(["\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\b", "\\B", "^", "$"]),
      () => this.pick(["\\n", "\\t", "\\r", "\\f", "\\v"]),
      () =>
        this.pick([
          "\\.",
          "\\$",
          "\\^",
          "\\*",
          "\\+",
          "\\?",
          "\\(",
          "\\)",
          "\\[",
          "\\]",
          "\\{",
          "\\}",
          "\\|",
          "\\/",
          "\\\\",
        ]),
      () => this.regexClass(),
    ])();
  }

  private regexClass(): string {
    let s = this.chance(0.3) ? "[^" : "[";
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) {
      s += this.pick([
        "a-z",
        "A-Z",
        "0-9",
        "a",
        "_",
        "\\d",
        "\\w",
        "\\s",
        "\\W",
        "\\D",
        "\\-",
        "\\]",
        "\\\\",
        ".",
        "$",
        "^",
        "é-ü",
        "😀",
        "\\n",
        "!--",
        " ",
        "|",
        "(",
        "{",
      ]);
    }
    if (this.chance(0.1)) s += "-";
    return `${s}]`;
  }

  private quantifier(): string {
    const q = this.pick(["*", "+", "?", "{2}", "{0}", "{1,3}", "{2,}", "{0,1}", "{3,100}"]);
    return this.chance(0.2) ? `${q}?` : q;
  }

  /** A string a pattern may well match: its literals and the characters classes care about. */
  regexInput(pattern: string): string {
    const chars = [
      ...pattern.replace(/[\\[\](){}*+?|^$]/g, ""),
      "a",
      "b",
      "1",
      " ",
      "\n",
      "\r",
      "\u2028",
      "\u00a0",
      "_",
      "é",
      "😀",
      "\u0085",
      "\ufeff",
      "-",
      "\t",
      "\u000b",
      "A",
    ];
    const n = this.int(9);
    let s = "";
    for (let i = 0; i < n; i++) s += this.pick(chars);
    // Around the 4096 code-unit limit (an emoji counts two), now and then.
    if (this.chance(0.02))
      s = this.pick(["x".repeat(4096 - s.length), "x".repeat(4095 - s.length), "😀".repeat(2048)]) + s;
    return s;
  }

  /**
   * A costly case: long arrays against long lists, or a long string against a pattern. Past the
   * TypeScript step budget (100,000) the condition does not match (docs/targeting.md, section 2).
   */
  heavyCase(): { condition: Obj; attributes: Obj } {
    const size = this.pick([50, 200, 400]);
    const tags = Array.from({ length: size }, (_, i) => `t${i}`);
    const list = Array.from({ length: this.pick([100, 300, 600]) }, (_, i) => `l${i}`);
    if (this.chance(0.5)) {
      return { condition: { tags: { [this.pick(["$in", "$nin"])]: list } }, attributes: { tags } };
    }
    const s = `${"ab ".repeat(this.pick([100, 1000, 1300]))}@x`;
    return {
      condition: { s: { $regex: this.pick(["[a-z ]{0,40}@", "\\w+ ?\\w*@", "b.{0,60}@", "@x$"]) } },
      attributes: { s },
    };
  }

  /** Attributes and a condition for one case; regex and version probes now and then. */
  conditionCase(): { condition: Obj; attributes: Obj } {
    if (this.chance(0.002)) return this.heavyCase();
    const attributes = this.attributes();
    if (this.chance(0.15)) {
      const pattern = this.regex();
      attributes.s = this.regexInput(pattern);
      return { condition: { s: { $regex: pattern } }, attributes };
    }
    if (this.chance(0.1)) {
      attributes.v = this.version();
      const op = this.pick(VERSION_OPERATORS);
      return { condition: { v: { [op]: this.version() || "0" } }, attributes };
    }
    return { condition: this.condition(), attributes };
  }

  // ---- users, flags, experiments ----------------------------------------------------------------

  userId(): string {
    return this.pick([
      () => `user_${this.int(100000)}`,
      () => `u${this.int(50)}`,
      () => this.pick(["", "José", "😀", "a__b", "__", "vip", "00000", "中文用户", "u\u2028", "\u0000"]),
      () => this.string(),
      () => `${this.rng.nextUint32().toString(36)}-${this.rng.nextUint32().toString(16)}`,
    ])();
  }

  /** Attributes as a caller passes them: none, plain, or with an explicit (maybe null) id. */
  callerAttributes(): Obj | undefined {
    if (this.chance(0.15)) return undefined;
    const a = this.attributes();
    if (this.chance(0.1)) a.id = this.pick<Json>([null, "vip", 42, this.userId()]);
    return a;
  }

  /** 0-100 with at most two decimals (what the server stores), edges often. */
  percent(): number {
    if (this.chance(0.4)) return this.pick([0, 100, 50, 0.01, 99.99, 33.33, 66.67, 10, 1, 12.5]);
    return this.int(10001) / 100;
  }

  private key(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    const n = 1 + this.int(this.chance(0.05) ? 64 : 12);
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }

  private flagValue(type: string): Json {
    switch (type) {
      case "boolean":
        return this.chance(0.5);
      case "string":
        return this.string();
      case "number":
        return this.number();
      default:
        return this.value();
    }
  }

  private ruleCondition(): Json | undefined {
    const r = this.int(10);
    if (r === 0) return undefined;
    if (r === 1) return null;
    if (r === 2) return {};
    return this.condition(1);
  }

  flag(): Obj {
    const type = this.pick(["boolean", "string", "number", "json"]);
    const rules: Json[] = [];
    const n = this.int(5);
    for (let i = 0; i < n; i++) {
      const rule: Obj = { rollout_percentage: this.percent(), value: this.flagValue(type) };
      const condition = this.ruleCondition();
      if (condition !== undefined) rule.condition = condition;
      rules.push(rule);
    }
    return {
      key: this.key(),
      value_type: type,
      default_value: this.flagValue(type),
      enabled: this.chance(0.85),
      rules,
    };
  }

  /** A namespace: sometimes with odd bounds (thirds, 0.001 steps, the full range). */
  namespace(): Obj | null {
    if (this.chance(0.5)) return null;
    const bounds = this.pick<[number, number]>([
      [0, 0.5],
      [0.5, 1],
      [0, 1],
      [0.25, 0.75],
      [1 / 3, 2 / 3],
      [0.001, 0.002],
      [0.999, 1],
      [0, 0.001],
    ]);
    const [start, end] = this.chance(0.6) ? bounds : ([this.int(1000) / 1000, 0] as [number, number]);
    return {
      key: this.pick(["checkout", "pricing", "layer-u", "a", this.key()]),
      start,
      end: end > start ? end : Math.min(1, start + this.int(500) / 1000 + 0.001),
    };
  }

  /** A config experiment: variants v0 (control) .. vk, running most of the time. */
  experiment(): { experiment: Obj; exposed: string | undefined } {
    const k = 1 + this.int(4);
    const percentages: number[] = [];
    let left = 10000;
    for (let i = 0; i < k; i++) {
      const p = i === k - 1 && this.chance(0.8) ? left : Math.min(left, this.int(left + 1));
      percentages.push(p / 100);
      left -= p;
    }
    const controlAt = this.chance(0.9) ? 0 : this.int(k);
    const variants = percentages.map((p, j) => ({
      id: `v${j}`,
      key: `v${j}`,
      variant_name: `V${j}`,
      variant_type: j === controlAt ? "control" : "treatment",
      model_version: null,
      config: {},
      traffic_percentage: p,
    }));
    const status = this.chance(0.85) ? "running" : this.pick(["paused", "completed", "draft"]);
    const key = this.key();
    const experiment: Obj = {
      id: `id_${key}`,
      key,
      status,
      seed: this.chance(0.7) ? key : this.string(),
      coverage: this.percent(),
      winner_variant_id: status === "completed" ? this.pick<Json>([null, "v0", `v${k - 1}`, "gone"]) : null,
      targeting: this.chance(0.35) ? null : this.condition(1),
      namespace: this.namespace(),
      variants,
    };
    const exposed = this.chance(0.6) ? undefined : this.pick(["v0", "v1", `v${k - 1}`, "v9"]);
    return { experiment, exposed };
  }
}
