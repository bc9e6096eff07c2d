// Dense.swift — a fully connected layer: one matrix product with the bias added as it stores.
//
//   x: [N, I], weight: [I, O], bias: [O]  →  y: [N, O] = x · weight + bias
//   dx = dy · weightᵀ,  dweight += xᵀ · dy,  dbias += Σ_n dy[n, :]
// (a gradient not yet there is written rather than zero-filled and added to: Tensor.writeOrAccumulateGrad)
// `compute` chooses the products' arithmetic and threads, forward and backward. With `packedWeight` (a
// PackedMatrix of this weight for `compute`'s products, at inference) the forward product reads the pack
// instead of converting or repacking the weight again wherever the pack serves the batch
// (Matrix.multiply); the result is the same.
public func dense(_ x: Tensor, weight: Tensor, bias: Tensor, packedWeight: PackedMatrix? = nil,
                  compute: Compute = .standard) -> Tensor {
    precondition(x.rank == 2, "dense: input must be [N, I], got \(x.shape)")
    precondition(weight.rank == 2 && weight.shape[0] == x.shape[1],
                 "dense: weight must be [\(x.shape[1]), O], got \(weight.shape)")
    let (batch, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[1])
    precondition(bias.shape == [outputs], "dense: bias must be [\(outputs)], got \(bias.shape)")

    let y = [Float](unsafeUninitializedCapacity: batch * outputs) { yp, initialized in
        // y = x · weight + bias, the bias added as the product stores each tile (beta = 0: y is only written)
        Matrix.multiply(m: batch, n: outputs, k: inputs, a: x.data, b: weight.data, packedB: packedWeight,
                        into: yp.baseAddress!, addingBias: bias.data, compute: compute)
        initialized = batch * outputs
    }
    return Tensor(result: [batch, outputs], data: y, inputs: [x, weight, bias]) { output in
        let dy = output.incomingGrad
        // A fresh gradient is written by the product (beta 0): the tutorial's dense weight is 151 MB, which
        // a zero fill and a read of those zeros would otherwise cross twice more every step.
        weight.writeOrAccumulateGrad { dweight, fresh in
            Matrix.multiply(m: inputs, n: outputs, k: batch, a: x.data, transposeA: true, b: dy,
                            into: dweight.baseAddress!, beta: fresh ? 0 : 1, compute: compute)
        }
        bias.accumulateGrad { dbias in
            ColumnSums.accumulate(dy, rows: batch, columns: outputs, into: dbias.baseAddress!)
        }
        x.writeOrAccumulateGrad { dx, fresh in
            Matrix.multiply(m: batch, n: inputs, k: outputs, a: dy, b: weight.data, transposeB: true,
                            into: dx.baseAddress!, beta: fresh ? 0 : 1, compute: compute)
        }
    }
}
