/**
 * `DualstackProvider`: the components offered to Python, Go, C#, Java and YAML programs. It
 * serves the committed `schema.json` (generated from the sources by
 * `npm run schema`, its provider references fixed for Pulumi's schema binder; see
 * docs/library.md) instead of inferring one at start-up, and constructs a component from the
 * inputs another language's program sends, returning the outputs the schema lists.
 */
import * as pulumi from "@pulumi/pulumi";
import { ComponentResourceConstructor, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../index";
import { withReadinessMechanism } from "../kubernetes/readinessCommand";
import schemaDocument from "../../schema.json";

/** The package's schema as committed: resources with their output properties. */
interface ServedSchema {
    readonly name: string;
    readonly version: string;
    readonly resources: Readonly<Record<string, { readonly properties?: Readonly<Record<string, unknown>> }>>;
}

/** Every component class the package exports, by class name (what the schema's tokens name). */
export function packageComponents(): Map<string, ComponentResourceConstructor> {
    return new Map(getPulumiComponents(library).map((c) => [c.name, c]));
}

/** The provider of the `dualstack` package. */
export class DualstackProvider implements pulumi.provider.Provider {
    readonly version: string;
    readonly schema: string;
    private readonly served: ServedSchema;
    private readonly components: Map<string, ComponentResourceConstructor>;

    constructor(served: ServedSchema = schemaDocument as ServedSchema, components = packageComponents()) {
        this.served = served;
        this.schema = JSON.stringify(served);
        this.version = served.version;
        this.components = components;
    }

    async getSchema(): Promise<string> {
        return this.schema;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
        const resource = this.served.resources[type];
        const [packageName, moduleName, className] = type.split(":");
        const component = this.components.get(className);
        if (resource === undefined || component === undefined || packageName !== this.served.name || moduleName !== "index") {
            throw new Error(`${type} is not a component of the ${this.served.name} package; its components are ${Object.keys(this.served.resources).join(", ")}.`);
        }
        // A dynamic resource cannot run for another language's program (pulumi/pulumi#5455).
        const instance = withReadinessMechanism("command", () => new component(name, inputs, options)) as pulumi.ComponentResource & Record<string, unknown>;
        const state: Record<string, unknown> = {};
        for (const output of Object.keys(resource.properties ?? {})) state[output] = instance[output];
        return { urn: instance.urn, state };
    }
}
