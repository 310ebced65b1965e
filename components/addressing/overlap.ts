/**
 * Overlap detection by sort and sweep, O(n log n) plus the pairs reported. Two CIDRs overlap
 * only by nesting, so after sorting by (family, network, wider first) the ranges that contain
 * the current one form a chain on a stack. Identical ranges share one stack entry, which keeps
 * the stack at most 129 deep however many duplicates there are, and inside an entry ranges
 * are bucketed by kind so that kinds that never conflict (reserved with reserved) cost
 * nothing to skip.
 */
import { Cidr, compareCidrs, contains } from "./cidr";

/** A range with whatever the caller needs to describe it. */
export interface Labeled<L> {
    readonly cidr: Cidr;
    readonly label: L;
}

/** A pair of overlapping ranges; `outer` contains `inner` (they may be equal). */
export interface OverlapPair<L> {
    readonly outer: Labeled<L>;
    readonly inner: Labeled<L>;
}

export interface OverlapOptions<L> {
    /** A coarse class of a range; pairs of classes that `classesMeet` rejects are skipped wholesale. */
    readonly classOf?: (label: L) => string;
    readonly classesMeet?: (a: string, b: string) => boolean;
    /** A final per-pair filter. */
    readonly report?: (outer: Labeled<L>, inner: Labeled<L>) => boolean;
}

interface Group<L> {
    readonly cidr: Cidr;
    readonly byClass: Map<string, Labeled<L>[]>;
}

/** Every pair of overlapping ranges that the options accept. */
export function findOverlaps<L>(ranges: readonly Labeled<L>[], options: OverlapOptions<L> = {}): OverlapPair<L>[] {
    const classOf = options.classOf ?? (() => "");
    const classesMeet = options.classesMeet ?? (() => true);
    const report = options.report ?? (() => true);
    const sorted = [...ranges].sort((a, b) => compareCidrs(a.cidr, b.cidr));
    const pairs: OverlapPair<L>[] = [];
    const stack: Group<L>[] = [];
    for (const range of sorted) {
        while (stack.length > 0 && !contains(stack[stack.length - 1].cidr, range.cidr)) stack.pop();
        const rangeClass = classOf(range.label);
        for (const group of stack) {
            for (const [groupClass, members] of group.byClass) {
                if (!classesMeet(groupClass, rangeClass)) continue;
                for (const outer of members) {
                    if (report(outer, range)) pairs.push({ outer, inner: range });
                }
            }
        }
        let top = stack[stack.length - 1];
        if (top === undefined || compareCidrs(top.cidr, range.cidr) !== 0) {
            top = { cidr: range.cidr, byClass: new Map() };
            stack.push(top);
        }
        const bucket = top.byClass.get(rangeClass);
        if (bucket) bucket.push(range);
        else top.byClass.set(rangeClass, [range]);
    }
    return pairs;
}
