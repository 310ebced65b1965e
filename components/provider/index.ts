/**
 * The package as a Pulumi plugin for other languages (`pulumi package add`): a provider that
 * serves the committed schema and constructs the components.
 */
export * from "./provider";
