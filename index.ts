// The dualstack program: `pulumi up --stack <env>` builds the cluster of stacks/Pulumi.<env>.yaml.
import { defineStack } from "./components/program";

export = defineStack;
