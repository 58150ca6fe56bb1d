import app from "./app";

export type { AppType } from "./app";
export { OrgObject } from "./streaming/org-object";
export default app;
