/** This feature's route files take their helpers from the shared module. */
export { at, body, json } from "../http/handler";
