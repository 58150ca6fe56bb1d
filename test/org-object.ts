// The organization object as tests reach it: its stub by name, and its clock pinned (the object
// reads `clock` once per call, so a pinned time steps rules and retention without sleeping).
import { env, runInDurableObject } from "cloudflare:test";
import type { OrgObject } from "../src/streaming/org-object";

export const stub = (org: string) => env.ORG.getByName(org);

export const pinClock = (org: string, at: number) =>
  runInDurableObject(stub(org), (instance: OrgObject) => {
    instance.clock = () => at;
  });
