/**
 * `$regex` without backtracking. Patterns come from whoever can save an experiment or a flag, and
 * are evaluated on the assignment hot path against request attributes, so a pattern like
 * `(a+)+$` must not be able to hang the isolate. JavaScript's RegExp backtracks and cannot be
 * interrupted, so the server never hands it a condition's pattern. Instead:
 *
 * 1. parseRegex accepts a small, common subset of the syntax (literals, `.`, classes, `\d \w \s`
 *    and their negations, `^ $ \b \B`, groups, alternation, greedy or lazy quantifiers) that means
 *    the same in JavaScript's `u` mode and in Python's `re`, and refuses everything else with a
 *    reason (backreferences, lookaround, nested unbounded quantifiers, over-long patterns...).
 *    Refusing nested quantifiers also protects SDKs that hand validated patterns to a native
 *    backtracking engine.
 * 2. compileRegex builds a Thompson NFA, and regexTest simulates it over the input's code points
 *    (a Pike VM without captures): time is O(input length x states), never exponential, and every
 *    state visited is charged to the caller's step budget. The Python SDK ports both, state for
 *    state (sdk/python/edge_experiments/conditions.py), so that it runs out of steps at the same
 *    point: the NFA's shape and visiting order are part of docs/targeting.md 2.1.
 *
 * A match is a search anywhere in the input, like RegExp.test and Python's re.search; `^` and `$`
 * are the input's start and end (no multiline), `.` is any code point except line terminators.
 */
import { CONDITION_LIMITS } from "./model";

type Range = readonly [number, number];
/** A character set: the union of `ranges` (inclusive), complemented when `negate`. */
interface CharSet {
  ranges: readonly Range[];
  negate: boolean;
}
/** A class is the union of its items (each a set), complemented as a whole when `negate`. */
interface CharClass {
  items: readonly CharSet[];
  negate: boolean;
}

type Node =
  | { t: "char"; cls: CharClass }
  | { t: "assert"; kind: "bol" | "eol" | "wordb" | "nwordb" }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; options: Node[] }
  | { t: "repeat"; node: Node; min: number; max: number | null };

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
// JavaScript's \s (WhiteSpace and LineTerminator of ECMA-262), spelled out so that every
// language agrees on it.
const SPACE: Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: Range[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const DOT: CharClass = { items: [{ ranges: LINE_TERMINATORS, negate: false }], negate: true };

const CLASS_ESCAPES: Record<string, CharSet> = {
  d: { ranges: DIGIT, negate: false },
  D: { ranges: DIGIT, negate: true },
  w: { ranges: WORD, negate: false },
  W: { ranges: WORD, negate: true },
  s: { ranges: SPACE, negate: false },
  S: { ranges: SPACE, negate: true },
};
const CONTROL_ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, f: 0x0c, v: 0x0b };
const SYNTAX_CHARS = "^$\\.*+?()[]{}|/";

class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
}

const single = (cp: number): CharClass => ({ items: [{ ranges: [[cp, cp]], negate: false }], negate: false });

/** Parses the accepted subset; throws RegexSyntaxError with a reason for anything else. */
function parseRegex(pattern: string): Node {
  if (pattern.length > CONDITION_LIMITS.maxRegexLength) {
    throw new RegexSyntaxError(`patterns are at most ${CONDITION_LIMITS.maxRegexLength} characters`);
  }
  const cps = Array.from(pattern, (c) => c.codePointAt(0) as number);
  let i = 0;
  const peek = (): string | undefined => (i < cps.length ? String.fromCodePoint(cps[i] as number) : undefined);
  const fail = (why: string): never => {
    throw new RegexSyntaxError(`${why} at position ${i}`);
  };

  const parseAlt = (depth: number): Node => {
    if (depth > 20) fail("groups nested too deeply");
    const options = [parseSeq(depth)];
    while (peek() === "|") {
      i++;
      options.push(parseSeq(depth));
    }
    return options.length === 1 ? (options[0] as Node) : { t: "alt", options };
  };

  const parseSeq = (depth: number): Node => {
    const items: Node[] = [];
    for (let c = peek(); c !== undefined && c !== "|" && c !== ")"; c = peek()) {
      const atom = parseAtom(depth);
      items.push(parseQuantifier(atom));
    }
    return { t: "seq", items };
  };

  const parseAtom = (depth: number): Node => {
    const c = peek() as string;
    i++;
    switch (c) {
      case "(": {
        if (peek() === "?") {
          i++;
          if (peek() !== ":") fail("only non-capturing groups (?:...) are supported, not lookaround or named groups");
          i++;
        }
        const inner = parseAlt(depth + 1);
        if (peek() !== ")") fail("unclosed group");
        i++;
        return inner;
      }
      case "[":
        return { t: "char", cls: parseClass() };
      case ".":
        return { t: "char", cls: DOT };
      case "^":
        return { t: "assert", kind: "bol" };
      case "$":
        return { t: "assert", kind: "eol" };
      case "\\": {
        const e = peek();
        i++;
        if (e === undefined) return fail("trailing backslash");
        if (e === "b") return { t: "assert", kind: "wordb" };
        if (e === "B") return { t: "assert", kind: "nwordb" };
        const set = CLASS_ESCAPES[e];
        if (set !== undefined) return { t: "char", cls: { items: [set], negate: false } };
        const control = CONTROL_ESCAPES[e];
        if (control !== undefined) return { t: "char", cls: single(control) };
        if (SYNTAX_CHARS.includes(e)) return { t: "char", cls: single(e.codePointAt(0) as number) };
        if (/[0-9]/.test(e)) return fail("backreferences are not supported");
        return fail(`unsupported escape \\${e}`);
      }
      case "*":
      case "+":
      case "?":
      case "{":
        return fail("nothing to repeat");
      case "]":
      case "}":
        return fail(`unescaped ${c}`);
      default:
        return { t: "char", cls: single(c.codePointAt(0) as number) };
    }
  };

  const parseClass = (): CharClass => {
    const negate = peek() === "^";
    if (negate) i++;
    const items: CharSet[] = [];
    const start = i;
    // One class member: a code point, or a class escape such as \d (which cannot bound a range).
    const member = (): number | CharSet => {
      const c = peek();
      if (c === undefined) return fail("unclosed character class");
      i++;
      if (c === "[") return fail("unescaped [ inside a character class");
      if (c !== "\\") return c.codePointAt(0) as number;
      const e = peek();
      i++;
      if (e === undefined) return fail("trailing backslash");
      // \S inside a class has no equivalent in Python's re (no set subtraction): refused.
      if (e === "S") return fail("\\S is not supported inside a character class");
      const set = CLASS_ESCAPES[e];
      if (set !== undefined) return set;
      const control = CONTROL_ESCAPES[e];
      if (control !== undefined) return control;
      if (SYNTAX_CHARS.includes(e) || e === "-") return e.codePointAt(0) as number;
      return fail(`unsupported escape \\${e} in a character class`);
    };
    while (peek() !== "]") {
      if (peek() === undefined) fail("unclosed character class");
      const atStart = i === start;
      if (peek() === "-" && !atStart && cps[i + 1] !== 0x5d) fail("a literal - inside a class must be escaped");
      const lo = member();
      if (peek() === "-" && cps[i + 1] !== undefined && cps[i + 1] !== 0x5d) {
        i++;
        const hi = member();
        if (typeof lo !== "number" || typeof hi !== "number") return fail("a class escape cannot bound a range");
        if (lo > hi) fail("range out of order in character class");
        items.push({ ranges: [[lo, hi]], negate: false });
      } else {
        items.push(typeof lo === "number" ? { ranges: [[lo, lo]], negate: false } : lo);
      }
    }
    if (items.length === 0) fail("empty character class");
    i++; // the closing ]
    return { items, negate };
  };

  const parseQuantifier = (atom: Node): Node => {
    let min: number;
    let max: number | null;
    const c = peek();
    if (c === "*") [min, max] = [0, null];
    else if (c === "+") [min, max] = [1, null];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(String.fromCodePoint(...cps.slice(i, i + 12)));
      if (m === null) return fail("malformed {n,m} repetition (write \\{ for a literal brace)");
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? null : Number(m[3]);
      if (max !== null && max < min) fail("repetition {n,m} with m < n");
      if (Math.max(min, max ?? 0) > CONDITION_LIMITS.maxRepeat) {
        fail(`repetition counts are at most ${CONDITION_LIMITS.maxRepeat}`);
      }
      i += m[0].length - 1;
    } else return atom;
    i++;
    if (peek() === "?") i++; // lazy: the same language, so the same boolean answer
    if (atom.t === "assert") fail("nothing to repeat");
    if ((max === null || max > 1) && hasRepetitionOrChoice(atom)) {
      fail("nested repetition ((a+)+, (a|b)* and the like) can backtrack catastrophically");
    }
    const next = peek();
    if (next === "*" || next === "+" || next === "?" || next === "{") fail("nothing to repeat");
    return { t: "repeat", node: atom, min, max };
  };

  const root = parseAlt(0);
  if (i < cps.length) fail("unmatched )");
  return root;
}

function hasRepetitionOrChoice(node: Node): boolean {
  switch (node.t) {
    case "repeat":
    case "alt":
      return true;
    case "seq":
      return node.items.some(hasRepetitionOrChoice);
    default:
      return false;
  }
}

// ---- NFA -------------------------------------------------------------------------------------

// Opcodes as plain numbers (no TypeScript enum, so the module runs under Node's type stripping).
const Op = { Char: 0, Split: 1, Assert: 2, Jump: 3, Match: 4 } as const;
type Op = (typeof Op)[keyof typeof Op];
interface State {
  op: Op;
  cls?: CharClass;
  kind?: "bol" | "eol" | "wordb" | "nwordb";
  next: number;
  alt: number;
}

export interface CompiledRegex {
  readonly states: readonly State[];
  readonly start: number;
}

/** Compiles a parsed pattern; throws RegexSyntaxError if it expands past maxRegexStates. */
export function compileRegex(pattern: string): CompiledRegex {
  const states: State[] = [];
  const emit = (s: State): number => {
    if (states.length >= CONDITION_LIMITS.maxRegexStates) {
      throw new RegexSyntaxError(`pattern too large once repetitions are expanded`);
    }
    states.push(s);
    return states.length - 1;
  };
  // Compiles `node` so that it continues to state `next`; returns its entry state. Built back to
  // front, so every state's successors exist when it is emitted.
  const build = (node: Node, next: number): number => {
    switch (node.t) {
      case "char":
        return emit({ op: Op.Char, cls: node.cls, next, alt: -1 });
      case "assert":
        return emit({ op: Op.Assert, kind: node.kind, next, alt: -1 });
      case "seq": {
        let entry = next;
        for (let k = node.items.length - 1; k >= 0; k--) entry = build(node.items[k] as Node, entry);
        return entry;
      }
      case "alt": {
        const entries = node.options.map((o) => build(o, next));
        let entry = entries[entries.length - 1] as number;
        for (let k = entries.length - 2; k >= 0; k--) {
          entry = emit({ op: Op.Split, next: entries[k] as number, alt: entry });
        }
        return entry;
      }
      case "repeat": {
        let entry = next;
        if (node.max === null) {
          // x* : a split that either enters x (which jumps back to the split) or leaves.
          const jump = emit({ op: Op.Jump, next: -1, alt: -1 });
          const body = build(node.node, jump);
          const split = emit({ op: Op.Split, next: body, alt: next });
          (states[jump] as State).next = split;
          entry = split;
        } else {
          for (let k = node.max; k > node.min; k--) {
            // x{min,max}: max - min optional copies, each of which may skip straight to `next`.
            const body = build(node.node, entry);
            entry = emit({ op: Op.Split, next: body, alt: next });
          }
        }
        for (let k = 0; k < node.min; k++) entry = build(node.node, entry);
        return entry;
      }
    }
  };
  const match = emit({ op: Op.Match, next: -1, alt: -1 });
  const start = build(parseRegex(pattern), match);
  return { states, start };
}

function inSet(set: CharSet, cp: number): boolean {
  let hit = false;
  for (const [lo, hi] of set.ranges) {
    if (cp >= lo && cp <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== set.negate;
}

function inClass(cls: CharClass, cp: number): boolean {
  let hit = false;
  for (const item of cls.items) {
    if (inSet(item, cp)) {
      hit = true;
      break;
    }
  }
  return hit !== cls.negate;
}

const isWord = (cp: number): boolean => inSet({ ranges: WORD, negate: false }, cp);

/** A mutable allowance of elementary steps, shared by everything one evaluation does. */
export interface Budget {
  steps: number;
}

export class BudgetExceeded extends Error {
  override readonly name = "BudgetExceeded";
}

/**
 * Whether `input` contains a match. Charges one step per state visited and throws
 * BudgetExceeded when the budget runs out.
 */
export function regexTest(re: CompiledRegex, input: string, budget: Budget): boolean {
  const n = input.length;
  const { states } = re;
  // mark[s] === gen: state s is already in the list being built (one generation per position).
  const mark = new Int32Array(states.length).fill(-1);
  let gen = 0;
  let current: number[] = [];
  let nextList: number[] = [];
  const stack: number[] = [];
  let prev = -1; // the code point before `pos`, -1 at the start

  // Adds `s0` and everything reachable from it without consuming input, at position `pos`
  // (a UTF-16 index; `cp` is the code point there, or -1 at the end). True: a match.
  const addClosure = (list: number[], s0: number, pos: number, cp: number): boolean => {
    stack.push(s0);
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (mark[s] === gen) continue;
      mark[s] = gen;
      if (--budget.steps < 0) throw new BudgetExceeded();
      const st = states[s] as State;
      switch (st.op) {
        case Op.Match:
          stack.length = 0;
          return true;
        case Op.Char:
          list.push(s);
          break;
        case Op.Jump:
          stack.push(st.next);
          break;
        case Op.Split:
          stack.push(st.alt, st.next);
          break;
        case Op.Assert: {
          let ok: boolean;
          if (st.kind === "bol") ok = pos === 0;
          else if (st.kind === "eol") ok = pos === n;
          else {
            const boundary = (prev >= 0 && isWord(prev)) !== (cp >= 0 && isWord(cp));
            ok = st.kind === "wordb" ? boundary : !boundary;
          }
          if (ok) stack.push(st.next);
          break;
        }
      }
    }
    return false;
  };

  // Code point by code point, as JavaScript's `u` mode and Python's str see the input.
  let pos = 0;
  for (;;) {
    const cp = pos < n ? (input.codePointAt(pos) as number) : -1;
    // Unanchored search: a new thread may start at every position.
    if (addClosure(current, re.start, pos, cp)) return true;
    if (cp < 0) return false;
    const width = cp > 0xffff ? 2 : 1;
    gen++;
    nextList.length = 0;
    const nextCp = pos + width < n ? (input.codePointAt(pos + width) as number) : -1;
    prev = cp;
    for (const s of current) {
      const st = states[s] as State;
      if (--budget.steps < 0) throw new BudgetExceeded();
      if (inClass(st.cls as CharClass, cp) && addClosure(nextList, st.next, pos + width, nextCp)) return true;
    }
    [current, nextList] = [nextList, current];
    pos += width;
  }
}
