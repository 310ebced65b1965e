/**
 * A small client for Neutron's REST API (v2.0) over plain `fetch`. The server runs with
 * `auth_strategy = noauth`, so there is no token; create bodies carry the project
 * (`tenant_id`).
 */

/** A request Neutron answered with an error status. */
export class NeutronError extends Error {
    constructor(
        /** HTTP status, e.g. 400. */
        readonly status: number,
        /** Neutron's error type, e.g. `InvalidInput`, `BadRequest`. */
        readonly type: string,
        /** Neutron's own message, as it returned it. */
        readonly neutronMessage: string,
        readonly method: string,
        readonly path: string,
        readonly body: unknown,
    ) {
        super(`HTTP ${status} ${type}: ${neutronMessage} (${method} ${path}${body === undefined ? "" : ` ${JSON.stringify(body)}`})`);
        this.name = "NeutronError";
    }
}

type Json = Record<string, unknown>;

/** Singular resource name of a collection, as Neutron wraps bodies: `security-groups` → `security_group`. */
export function singular(collection: string): string {
    const special: Record<string, string> = { "security-groups": "security_group", "security-group-rules": "security_group_rule", subnetpools: "subnetpool" };
    return special[collection] ?? collection.replace(/s$/, "");
}

/** The plural key of a list answer: `security-groups` → `security_groups`. */
function pluralKey(collection: string): string {
    return collection.replace(/-/g, "_");
}

export class NeutronClient {
    /** The request in flight; the next one waits for it. */
    private queue: Promise<unknown> = Promise.resolve();

    /** @param url base URL of the API, e.g. `http://127.0.0.1:9696/v2.0` */
    constructor(readonly url: string) {}

    /**
     * One request; throws NeutronError on an error status. Requests are sent one at a time:
     * Neutron on SQLite under eventlet cannot wait for a database lock held by another of its
     * green threads, so concurrent writes fail with "database is locked" (HTTP 500).
     */
    request(method: string, path: string, body?: unknown): Promise<Json> {
        const next = this.queue.then(() => this.send(method, path, body));
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async send(method: string, path: string, body?: unknown): Promise<Json> {
        const response = await fetch(`${this.url}/${path}`, {
            method,
            headers: body === undefined ? {} : { "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        if (!response.ok) {
            let type = "Error";
            let message = text.trim();
            try {
                const error = (JSON.parse(text) as { NeutronError?: { type?: string; message?: string } }).NeutronError;
                if (error) {
                    type = error.type ?? type;
                    message = error.message ?? message;
                }
            } catch {
                // not JSON: keep the text
            }
            throw new NeutronError(response.status, type, message, method, path, body);
        }
        return text === "" ? {} : (JSON.parse(text) as Json);
    }

    /** POST one resource in a project; returns it as Neutron stored it. */
    async create(collection: string, fields: Json, project: string): Promise<Json> {
        const key = singular(collection);
        const answer = await this.request("POST", collection, { [key]: { ...fields, tenant_id: project } });
        return answer[key] as Json;
    }

    async show(collection: string, id: string): Promise<Json> {
        return (await this.request("GET", `${collection}/${id}`))[singular(collection)] as Json;
    }

    async update(collection: string, id: string, fields: Json): Promise<Json> {
        const key = singular(collection);
        return (await this.request("PUT", `${collection}/${id}`, { [key]: fields }))[key] as Json;
    }

    async remove(collection: string, id: string): Promise<void> {
        await this.request("DELETE", `${collection}/${id}`);
    }

    /** GET a collection with filters (`{name: "public", "router:external": true}`). */
    async list(collection: string, filters: Record<string, string | number | boolean | undefined> = {}): Promise<Json[]> {
        const query = Object.entries(filters)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
            .join("&");
        const answer = await this.request("GET", query === "" ? collection : `${collection}?${query}`);
        return answer[pluralKey(collection)] as Json[];
    }

    /** Replace a resource's tags (Neutron takes no tags in a create body). */
    async setTags(collection: string, id: string, tags: readonly string[]): Promise<string[]> {
        return (await this.request("PUT", `${collection}/${id}/tags`, { tags })).tags as string[];
    }
}
