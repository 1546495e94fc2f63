/**
 * Which weights a node of a tfjs graph model reads: the constants among its transitive inputs. The
 * fingerprint hashes only those, so a tapped node's identity ignores the layers after it.
 */
interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

/** `^ctrl`, `name:1` → `ctrl`, `name`. */
const nodeNameOf = (input: string): string => input.replace(/^\^/, '').replace(/:\d+$/, '');

export function graphNodeNames(modelTopology: unknown): string[] {
  const nodes = (modelTopology as { node?: GraphNode[] } | undefined)?.node;
  return Array.isArray(nodes) ? nodes.map((n) => n.name) : [];
}

/** Names of the Const nodes (= weights) feeding `target`, or undefined when the graph has no such node. */
export function weightsFeeding(modelTopology: unknown, target: string): Set<string> | undefined {
  const nodes = (modelTopology as { node?: GraphNode[] } | undefined)?.node ?? [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  if (!byName.has(target)) return undefined;
  const seen = new Set<string>();
  const weights = new Set<string>();
  const pending = [target];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const node = byName.get(name);
    if (!node) continue;
    if (node.op === 'Const') weights.add(name);
    pending.push(...(node.input ?? []).map(nodeNameOf));
  }
  return weights;
}
