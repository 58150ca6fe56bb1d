// Where focus lands after acknowledging or resolving an alert (the list-level decision, by alert id).
import { describe, expect, it } from "vitest";
import { type FocusTarget, focusTarget, type PendingFocus } from "../../web/src/live/alert-focus";

const ack = (id: string, index: number): PendingFocus => ({ id, index, leaves: false });
const resolved = (id: string, index: number): PendingFocus => ({ id, index, leaves: true });

describe("focusTarget", () => {
  it.each<[string, PendingFocus, string[], boolean, FocusTarget]>([
    ["acknowledged: its own card, wherever it moved", ack("b", 1), ["b", "a", "c"], true, { kind: "card", id: "b" }],
    ["resolved, still in the live list: wait", resolved("b", 1), ["a", "b", "c"], true, { kind: "wait" }],
    ["resolved and gone: the card now at its place", resolved("b", 1), ["a", "c"], false, { kind: "card", id: "c" }],
    ["resolved last one gone: the new last card", resolved("c", 2), ["a", "b"], false, { kind: "card", id: "b" }],
    ["resolved the only one: the heading", resolved("a", 0), [], false, { kind: "heading" }],
    ["acknowledged but dropped meanwhile (resolved elsewhere)", ack("a", 0), ["b"], false, { kind: "card", id: "b" }],
    [
      "a store that dropped it before the card did: its card still listed",
      resolved("a", 0),
      ["a"],
      false,
      { kind: "card", id: "a" },
    ],
  ])("%s", (_name, pending, listed, stillActive, expected) => {
    expect(focusTarget(pending, listed, stillActive)).toEqual(expected);
  });
});
