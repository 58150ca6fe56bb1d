/**
 * Vitest globalSetup (runs in Node, not workerd): starts the webhook receiver once for the workers
 * project and hands its URL to the tests, which read it with `inject("receiverUrl")`.
 */
import type { TestProject } from "vitest/node";
import { startReceiver } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const receiver = await startReceiver();
  project.provide("receiverUrl", receiver.url);
  return receiver.close;
}
