// PaddedAdd.swift — the residual sum of two feature maps that may differ in size (dlib's add_prev).
//
//   a: [N, Ha, Wa, Ca], b: [N, Hb, Wb, Cb]  →  y: [N, max(Ha, Hb), max(Wa, Wb), max(Ca, Cb)]
//   y[n, h, w, c] = a[n, h, w, c] (0 where a has no such pixel or channel) + b[n, h, w, c] (likewise)
// A shortcut with fewer channels thus adds into the first channels only, and a map one pixel smaller
// (dlib's ResNet: a 3×3 stride-2 convolution of 8×8 gives 3×3, the 2×2 average pool 4×4) is padded with
// zeros at the bottom and right. Backward: each input takes dy over its own extent.
// With `fusedReLU`, y = max(0, a + b) in the same pass (a residual block's output: one pass over the map and
// one array fewer than relu(paddedAdd(a, b))), and dy is taken only where y > 0, as relu's backward does.
public func paddedAdd(_ a: Tensor, _ b: Tensor, fusedReLU: Bool = false) -> Tensor {
    precondition(a.rank == 4 && b.rank == 4 && a.shape[0] == b.shape[0],
                 "paddedAdd: inputs must be [N, H, W, C] with the same N, got \(a.shape) and \(b.shape)")
    let shape = [a.shape[0], max(a.shape[1], b.shape[1]), max(a.shape[2], b.shape[2]), max(a.shape[3], b.shape[3])]
    /// Calls body(outputIndex, inputIndex, count) for each run of one pixel's channels of `input`.
    func runs(of input: [Int], _ body: (Int, Int, Int) -> Void) {
        for n in 0..<input[0] {
            for h in 0..<input[1] {
                for w in 0..<input[2] {
                    body(((n * shape[1] + h) * shape[2] + w) * shape[3], ((n * input[1] + h) * input[2] + w) * input[3], input[3])
                }
            }
        }
    }
    var y: [Float]
    if a.shape == b.shape {
        // Most of a ResNet's sums: one pass that the compiler vectorises, no zero-fill first.
        y = [Float](unsafeUninitializedCapacity: a.count) { target, initialized in
            a.data.withUnsafeBufferPointer { a in
                b.data.withUnsafeBufferPointer { b in
                    if fusedReLU {
                        for index in 0..<a.count { target[index] = max(a[index] + b[index], 0) }
                    } else {
                        for index in 0..<a.count { target[index] = a[index] + b[index] }
                    }
                }
            }
            initialized = a.count
        }
    } else {
        y = [Float](repeating: 0, count: Tensor.elementCount(of: shape))
        for input in [a, b] {
            let values = input.data  // read once: `data` read in the loop costs an exclusivity check per value
            runs(of: input.shape) { target, source, count in
                for c in 0..<count { y[target + c] += values[source + c] }
            }
        }
        if fusedReLU {
            for index in y.indices { y[index] = max(y[index], 0) }
        }
    }
    return Tensor(result: shape, data: y, inputs: [a, b]) { output in
        var dy = output.incomingGrad
        if fusedReLU {
            let values = output.data
            for index in dy.indices where !(values[index] > 0) { dy[index] = 0 }
        }
        for input in [a, b] {
            input.accumulateGrad { dx in
                runs(of: input.shape) { target, source, count in
                    for c in 0..<count { dx[source + c] += dy[target + c] }
                }
            }
        }
    }
}
