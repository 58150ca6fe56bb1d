import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./types";
import { validationHook } from "./validation";

/** Every feature's sub-app: they share the one validation hook (400 problem+json naming each field). */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
