// Autograd.swift — reverse-mode differentiation over the graph that ops build (see Tensor.swift).
//
// `loss.backward()` orders the graph topologically, seeds dLoss/dLoss = 1 and runs every node's
// backward step once, outputs before inputs. Afterwards the graph is released: intermediate nodes
// drop their inputs and closures, so their activations can be freed; leaves keep their `grad`.
extension Tensor {
    /// Back-propagates from this scalar (one element) tensor.
    public func backward() {
        precondition(count == 1, "backward(): the loss must have one element, its shape is \(shape)")
        backward(seed: [1])
    }

    /// Back-propagates from this tensor with dLoss/dself = `seed` (PyTorch's `y.backward(gradient)`).
    public func backward(seed: [Float]) {
        precondition(seed.count == count, "backward(seed:): \(seed.count) values for a tensor of \(count)")
        guard requiresGrad else { return }
        let order = topologicalOrder()
        addToGrad(seed)
        for node in order.reversed() {
            if let step = node.backwardStep {
                step(node)
            }
        }
        for node in order where node.backwardStep != nil {
            node.inputs = []
            node.backwardStep = nil
            node.releaseGrad()
        }
    }

    /// Every node reachable from this one through `inputs`, each after all of its inputs.
    /// Iterative, so a deep graph cannot overflow the stack.
    func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(node: Tensor, inputsPushed: Bool)] = [(self, false)]
        while let (node, inputsPushed) = stack.popLast() {
            if inputsPushed {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
