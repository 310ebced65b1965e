/**
 * Rules about Nova that a plan can see: server groups.
 */
import { Finding, warning } from "../findings";

/** Nova's default `server_group_members` quota: members of one server group. */
export const NOVA_SERVER_GROUP_MEMBERS = 10;

/**
 * `server-group-quota`: each pool's machines share one Nova server group, and Nova's default
 * quota allows 10 members per group; more fail at `up` unless the project's quota is raised.
 */
export function checkServerGroupSize(count: number, policy: string, path: string): Finding[] {
    if (count <= NOVA_SERVER_GROUP_MEMBERS) return [];
    const hard = policy === "anti-affinity" ? " With anti-affinity, the cloud also needs as many hypervisors as machines." : "";
    return [
        warning(
            "server-group-quota",
            path,
            `${path} is ${count}: the pool's machines share one Nova server group, and Nova's default quota ` +
                `(server_group_members) is ${NOVA_SERVER_GROUP_MEMBERS} members per group, so creating the rest fails unless ` +
                `the project's quota is raised. Ask for a higher quota, or split the pool.${hard}`,
        ),
    ];
}
