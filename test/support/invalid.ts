/**
 * Asserting that a component refuses its arguments: construction throws InvalidPlanError with
 * the rule and the text, and registers nothing.
 */
import * as assert from "assert";
import { InvalidPlanError } from "../../components/addressing/findings";
import { cloud, settle } from "./runtime";

/**
 * Expect `build` to throw InvalidPlanError with `rule` among its findings and `text` in its
 * message, and no resource to be registered after the call (resources the test made before
 * calling `build` are left out by `before`, the number registered until then).
 */
export async function expectInvalid(build: () => unknown, rule: string, text: string, before = cloud.resources.length): Promise<void> {
    assert.throws(build, (e: unknown) => {
        assert.ok(e instanceof InvalidPlanError, String(e));
        assert.ok(e.findings.some((f) => f.rule === rule), e.message);
        assert.ok(e.message.includes(text), e.message);
        return true;
    });
    await settle();
    assert.deepStrictEqual(cloud.resources.slice(before), []);
}
