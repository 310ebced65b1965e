/**
 * The plugin's entry point: package.json `main`, which Pulumi's Node.js plugin host
 * (`@pulumi/pulumi/cmd/run-plugin`) loads from the package directory. A module whose export is
 * a function (and no component class) is called by the host instead of having a schema
 * inferred from it: this one serves {@link DualstackProvider} on the engine address the host
 * passes. Programs import the library through package.json `exports`, never this module.
 */
import * as pulumi from "@pulumi/pulumi";
import { DualstackProvider } from "./provider";

export = (): Promise<void> => pulumi.provider.main(new DualstackProvider(), process.argv.slice(2));
