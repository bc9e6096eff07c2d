// BufferHelpers.swift — small pointer utilities shared by the kernels.
extension Tensor {
    /// Calls `body` with this tensor's gradient buffer (allocated as zeros when needed), or with nil
    /// when the tensor does not require a gradient.
    func withGradPointer<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard requiresGrad else { return body(nil) }
        var result: R?
        accumulateGrad { result = body($0.baseAddress) }
        return result!
    }

    /// grad += delta, element by element.
    func addToGrad(_ delta: [Float]) {
        precondition(delta.count == count, "addToGrad: \(delta.count) values for a tensor of \(count)")
        accumulateGrad { gradient in
            delta.withUnsafeBufferPointer { delta in
                for index in 0..<gradient.count {
                    gradient[index] += delta[index]
                }
            }
        }
    }
}

enum ColumnSums {
    /// sums[c] += Σ_r matrix[r, c] for a row-major [rows, columns] matrix.
    static func accumulate(
        _ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<rows {
            let line = matrix + row * columns
            for column in 0..<columns {
                sums[column] += line[column]
            }
        }
    }
}
