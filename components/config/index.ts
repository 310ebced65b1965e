/**
 * Stack configuration: schema, loading with defaults, stack files, key names.
 */
export * from "./types";
export * from "./keys";
export * from "./schema";
export * from "./load";
export * from "./stackFile";
export * from "./reference";
