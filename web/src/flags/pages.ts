// The flag pages, one lazily loaded chunk: they carry the condition checker and the flag evaluator
// (src/targeting, src/flags/evaluate.ts), which no other page needs.
export { FlagForm } from "./FlagForm";
export { FlagList } from "./FlagList";
